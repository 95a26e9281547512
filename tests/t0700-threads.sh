# 8 threads call memoized functions at once, twice over (misses racing to
# store the same keys, then hits): results identical to the run without
# libmemo, and the second run executes no body.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/{dot,fill,describe_copy,sc_i32}.conf memo.d/
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/mt/mt" threads 8 >plain.out || fail "plain run"
reset_runs
under_memo "$P/mt/mt" threads 8 >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run"
reset_runs
under_memo "$P/mt/mt" threads 8 >second.out 2>second.err || { cat second.err; fail "second run"; }
same plain.out second.out "second run"
expect_eq "$(wc -l <runs)" 0 "bodies run in the second run"
expect_eq "$(stat_of stats.jsonl dot calls)" 1600 "dot calls"
expect_eq "$(stat_of stats.jsonl dot hits)" 1600 "dot hits"
