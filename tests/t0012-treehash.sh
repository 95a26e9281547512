# Large arguments are keyed by a BLAKE2b tree hashed on every core: the same
# digest whatever the threads (unit driver), and end to end a large input
# buffer keys correctly (a one-element change is another key).
source "$TOP/tests/lib.sh"

"$P/unit/treehash" || fail "treehash unit checks"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/dot.conf memo.d/
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
MEMO_DISABLE=1 "$P/mt/mt" big >plain.out || fail "plain run"
reset_runs
under_memo "$P/mt/mt" big >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run"
expect_eq "$(runs dot)" 2 "the changed buffer is another key"
reset_runs
under_memo "$P/mt/mt" big >second.out 2>second.err || fail "second run"
same plain.out second.out "second run"
expect_eq "$(runs dot)" 0 "both large calls hit"
