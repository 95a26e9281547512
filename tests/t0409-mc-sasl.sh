#!/usr/bin/env bash
# memcached store with SASL (sasl_user, sasl_password_file): the binary
# protocol, authenticated; values, chunks and cas work. A wrong password is
# said clearly on stderr, counted as errors, and never hangs.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

command -v saslpasswd2 >/dev/null || skip "saslpasswd2 missing (Debian package sasl2-bin)"
# (grep -c reads all of memcached -h: with -q, memcached may die of SIGPIPE under pipefail)
memcached -h | grep -c enable-sasl >/dev/null || skip "this memcached has no sasl"
echo s3cret | saslpasswd2 -p -a memcached -c -f "$T/sasldb" memo || fail "saslpasswd2"
printf 'mech_list: plain\nsasldb_path: %s\n' "$T/sasldb" >"$T/memcached.conf"
printf 's3cret\n' >"$T/password"
printf 'wrong\n' >"$T/wrong"
SASL_CONF_PATH="$T" start_memcached -S

export MC_SASL_USER=memo MC_SASL_PASSWORD_FILE="$T/password"
mc_driver "127.0.0.1:$MC_PORT" 500
mc set s 10 100
mc get s 10 100
expect_eq "$(val hits)/$(val bad)/$(val errors)" 10/0/0 "authenticated round trip"
mc set sbig 1 3000000
mc get sbig 1 3000000
expect_eq "$(val hits)/$(val bad)" 1/0 "chunks over sasl"
mc casinc c 2 20
expect_eq "$(val count)" 40 "cas over sasl"

printf 'get s 10 100\n' | MC_SASL_PASSWORD_FILE="$T/wrong" "$P/unit/mc_store" "127.0.0.1:$MC_PORT" \
	>wrong.out 2>wrong.err || fail "driver with a wrong password"
R=$(cat wrong.out)
expect_eq "$(val hits)" 0 "hits with a wrong password"
[ "$(val errors)" -ge 1 ] || fail "errors not counted: $R"
grep -q "refused sasl authentication of 'memo'" wrong.err || { cat wrong.err; fail "no clear message"; }
