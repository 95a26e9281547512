#!/usr/bin/env bash
# Owns: poisoning of a shared memcached, end to end. A foreign client
# (tests/forge.py: python, a socket, hashlib.blake2b) rewrites real entries
# of real programs under LD_PRELOAD with well-formed values holding a wrong
# result. Without secret_file the forgery is served (the risk the README
# states); with one it is rejected, counted, recomputed and overwritten, as
# is a value sealed with another secret or moved from another key. A chunked
# value (over memcached's item size) is checked by its MAC end to end.
source "$TOP/tests/lib.sh"
FORGE="$TOP/tests/forge.py"

# conf PORT [SECRET_FILE]: a memcached-only config (no folder in front).
conf() {
	printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nstats = %s\n' "$1" "$T/stats.jsonl" \
		>memo.d/cache.conf
	[ -z "${2:-}" ] || echo "secret_file = $2" >>memo.d/cache.conf
}
# run NAME CMD...: one run under libmemo, output in NAME.out, stderr in NAME.err
run() {
	local name=$1; shift
	reset_runs
	under_memo "$@" >"$name.out" 2>"$name.err" || { cat "$name.err"; fail "$name: exit $?"; }
}
st() { stat_of "$T/stats.jsonl" "$SYM" "$1"; }

mkdir memo.d
cp "$TOP/tests/progs/shapes/memo.d/dot.conf" memo.d/
export MEMO_CONFIG="$T/memo.d"
bin="$P/shapes/shapes-now" SYM=dot
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"
grep -q '^dot ' plain.out || fail "no dot line in the plain output"
# What the program prints when both dot() calls return the forged 42.0.
sed 's/^dot .*/dot 0x1.5p+5 0x1.5p+5/' plain.out >forged.out

note "no secret: a forged value is served"
start_memcached
conf "$MC_PORT"
run first "$bin" 1
same plain.out first.out "first run"
expect_eq "$(st sets)" 2 "entries stored"
expect_eq "$(python3 "$FORGE" rewrite "memcached:$MC_PORT" double:42)" 2 "entries forged"
run poisoned "$bin" 1
same forged.out poisoned.out "the forged result is what the program prints"
expect_eq "$(runs dot)/$(st hits)/$(st rejected)" 0/2/0 "forgery served as hits"

note "with a secret: a forgery is rejected, counted, recomputed, overwritten"
head -c 32 /dev/urandom >secret && chmod 600 secret
head -c 32 /dev/urandom >other && chmod 600 other
start_memcached
conf "$MC_PORT" "$T/secret"
run first "$bin" 1
same plain.out first.out "first run with a secret"
python3 "$FORGE" verify "memcached:$MC_PORT" --secret secret >v.mac
python3 "$FORGE" verify "memcached:$MC_PORT" >v.plain
expect_eq "$(grep -c ' ok$' v.mac)/$(grep -c ' bad$' v.plain)" 2/2 "entries carry the MAC"

python3 "$FORGE" rewrite "memcached:$MC_PORT" double:42 >/dev/null || fail "forge"
run rejected "$bin" 1
same plain.out rejected.out "a plain-checksum forgery is not served"
expect_eq "$(st rejected)/$(st hits)/$(runs dot)/$(st sets)" 2/0/2/2 "rejected/hits/runs/sets"
grep -q "libmemo: warning: 'dot': rejected a cached value (check failed); recomputing" rejected.err ||
	fail "no warning: $(cat rejected.err)"
python3 "$FORGE" verify "memcached:$MC_PORT" --secret secret >v.mac
expect_eq "$(grep -c ' ok$' v.mac)" 2 "the forgeries were overwritten with sealed values"
run healed "$bin" 1
same plain.out healed.out "after the overwrite"
expect_eq "$(st hits)/$(st rejected)/$(runs dot)" 2/0/0 "hits after the overwrite"

python3 "$FORGE" rewrite "memcached:$MC_PORT" double:42 --secret other >/dev/null || fail "forge"
run othersecret "$bin" 1
same plain.out othersecret.out "a value sealed with another secret is not served"
expect_eq "$(st rejected)/$(st hits)" 2/0 "another secret: rejected/hits"

python3 "$FORGE" swap "memcached:$MC_PORT" || fail "swap"
run swapped "$bin" 1
same plain.out swapped.out "valid values moved to each other's key are not served"
expect_eq "$(st rejected)/$(st hits)" 2/0 "swapped: rejected/hits"

note "a chunked value: the MAC covers the reassembled value"
cp "$TOP/tests/progs/trust/memo.d/big_fill.conf" memo.d/
rm memo.d/dot.conf
bin="$P/trust/trust" SYM=big_fill N=$((3 * 1024 * 1024))
MEMO_DISABLE=1 "$bin" 5 $N >plain.out || fail "plain trust run"
for secret in "" "$T/secret"; do
	start_memcached
	conf "$MC_PORT" "$secret"
	run first "$bin" 5 $N
	same plain.out first.out "trust first run (secret '$secret')"
	python3 "$FORGE" chunks "memcached:$MC_PORT" >nchunks
	[ "$(cat nchunks)" -ge 3 ] || fail "the value was not chunked ($(cat nchunks) chunks)"
	expect_eq "$(python3 "$FORGE" rewrite "memcached:$MC_PORT" xor)" 1 "chunked entry forged"
	run forged "$bin" 5 $N
	if [ -z "$secret" ]; then
		cmp -s plain.out forged.out && fail "a forged chunked value was not served without a secret"
		expect_eq "$(st hits)/$(st rejected)" 1/0 "chunked forgery served without a secret"
	else
		same plain.out forged.out "a forged chunked value is not served with a secret"
		expect_eq "$(st hits)/$(st rejected)/$(runs big_fill)" 0/1/1 "chunked forgery rejected"
	fi
done

note "the backend leaves values to the call path"
# libmemo-memcached.so links its own copy of value.o, which value_set_secret
# (run in libmemo.so) never reaches: were the backend to encode or decode
# values itself, it would do so without the secret. It only moves bytes.
nm -u "$B/src/store/store_memcached.o" | grep -w 'value_[a-z_]*' &&
	fail "store_memcached.o calls the value codec; it would not see the secret"
true
