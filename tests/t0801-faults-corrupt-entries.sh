# Entries corrupted or truncated on disk are rejected (never returned),
# counted, recomputed and overwritten.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/*.conf memo.d/
# small_store = no: the entries are files, one each, which this test damages
# (t0310 damages the small store's)
printf '[cache]\ndir = %s\nstats = %s\nsmall_store = no\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"
under_memo "$bin" 1 >/dev/null 2>&1 || fail "filling run"
entries() { find cache -type f -name 'm1-*' "$@"; }
n=$(entries | wc -l)
[ "$n" -gt 10 ] || fail "expected entries in the cache, found $n"

note "one byte flipped in every entry"
for f in $(entries); do
	size=$(stat -c %s "$f")
	python3 - "$f" "$((size / 2))" <<'PY'
import sys
path, at = sys.argv[1], int(sys.argv[2])
b = bytearray(open(path, 'rb').read()); b[at] ^= 0x40
open(path, 'wb').write(b)
PY
done
reset_runs
under_memo "$bin" 1 >out 2>err || { cat err; fail "run over corrupt entries"; }
same plain.out out "corrupt entries"
grep -q "rejected" err || { cat err; fail "stderr does not say values were rejected"; }
[ "$(stat_of stats.jsonl dot rejected)" -ge 1 ] || fail "dot: rejected not counted"
[ "$(runs dot)" -ge 1 ] || fail "dot was not recomputed"

note "overwritten: the next run hits"
reset_runs
under_memo "$bin" 1 >out 2>err || fail "run after recompute"
same plain.out out "after overwrite"
expect_eq "$(grep -vxc fast runs)" 0 "bodies run after the overwrite"

note "every entry truncated to half"
for f in $(entries); do truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"; done
reset_runs
under_memo "$bin" 1 >out 2>err || fail "run over truncated entries"
same plain.out out "truncated entries"
[ "$(stat_of stats.jsonl dot rejected)" -ge 1 ] || fail "dot: truncated value not rejected"

note "entries swapped between keys"
files=($(entries | sort))
cp "${files[0]}" swap; cp "${files[1]}" "${files[0]}"; cp swap "${files[1]}"
under_memo "$bin" 1 >out 2>err || fail "run over swapped entries"
same plain.out out "swapped entries"
