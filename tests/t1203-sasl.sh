#!/usr/bin/env bash
# Owns: sasl_user / sasl_password_file against a real SASL-enabled memcached
# (-S: binary protocol only), with a real program under LD_PRELOAD. Right
# credentials: entries shared between processes. Wrong user or password, a
# missing password file, or no credentials at all: the program prints exactly
# its plain output, the stats count errors, stderr says why. An anonymous
# text-protocol writer (the forger of t1202) cannot even talk to the server.
source "$TOP/tests/lib.sh"
command -v saslpasswd2 >/dev/null || skip "saslpasswd2 missing (Debian: sasl2-bin)"
# grep -c reads to the end: with pipefail, grep -q could SIGPIPE memcached.
memcached -h | grep -c -- --enable-sasl >/dev/null || skip "this memcached is built without SASL"

# memcached reads its SASL config (PLAIN over a private sasldb) from here.
mkdir sasl
printf 'mech_list: plain\nsasldb_path: %s\n' "$T/sasl/sasldb2" >sasl/memcached.conf
printf 'pw for alice' | saslpasswd2 -a memcached -c -p -f "$T/sasl/sasldb2" alice ||
	fail "saslpasswd2"
SASL_CONF_PATH="$T/sasl" start_memcached -S

printf 'pw for alice\n' >pw.good	# a trailing newline is not part of it
printf 'pw for bob\n' >pw.bad
chmod 600 pw.good pw.bad
mkdir memo.d
cp "$TOP/tests/progs/trust/memo.d/big_fill.conf" memo.d/
export MEMO_CONFIG="$T/memo.d"
# conf [USER PASSWORD_FILE]
conf() {
	printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nstats = %s\n' "$MC_PORT" \
		"$T/stats.jsonl" >memo.d/cache.conf
	[ $# = 0 ] || printf 'sasl_user = %s\nsasl_password_file = %s\n' "$1" "$2" >>memo.d/cache.conf
}
run() {
	local name=$1; shift
	reset_runs
	under_memo "$P/trust/trust" "$@" >"$name.out" 2>"$name.err" ||
		{ cat "$name.err"; fail "$name: exit $?"; }
	same plain.out "$name.out" "$name"
}
st() { stat_of "$T/stats.jsonl" big_fill "$1"; }
MEMO_DISABLE=1 "$P/trust/trust" 9 4096 >plain.out || fail "plain run"

note "right credentials: a second process hits"
conf alice "$T/pw.good"
run first 9 4096
expect_eq "$(runs big_fill)/$(st sets)/$(st errors)" 1/1/0 "first: runs/sets/errors"
[ -s first.err ] && fail "first run complained: $(cat first.err)"
run second 9 4096
expect_eq "$(runs big_fill)/$(st hits)/$(st errors)" 0/1/0 "second: runs/hits/errors"

# The server closes a text-protocol connection: to the client, it does not answer.
for who in "bad-password:refused sasl authentication of 'alice':alice $T/pw.bad" \
	   "unknown-user:refused sasl authentication of 'bob':bob $T/pw.good" \
	   "no-credentials:server does not answer:"; do
	IFS=: read -r name why cred <<<"$who"
	note "$name: correct output, errors counted, nothing served"
	conf $cred
	run "$name" 9 4096
	expect_eq "$(runs big_fill)/$(st hits)/$(st sets)" 1/0/0 "$name: runs/hits/sets"
	[ "$(st errors)" -ge 1 ] || fail "$name: no error counted"
	grep -q "^libmemo: warning: '127.0.0.1:$MC_PORT': memcached $why" "$name.err" ||
		fail "$name: not said: $(cat "$name.err")"
done

note "a missing password file: said, and the program runs unmemoized"
conf alice "$T/nowhere"
run nofile 9 4096
grep -q "^libmemo: error: '$T/nowhere': cannot read sasl password" nofile.err ||
	fail "nothing said: $(cat nofile.err)"

note "the text protocol is shut: an anonymous writer cannot reach the entries"
python3 "$TOP/tests/forge.py" rewrite "memcached:$MC_PORT" xor >forge.out 2>&1 &&
	fail "a text-protocol client was served by a SASL memcached: $(cat forge.out)"
conf alice "$T/pw.good"
run after 9 4096
expect_eq "$(runs big_fill)/$(st hits)/$(st rejected)" 0/1/0 "the entry is intact"
