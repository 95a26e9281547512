# Adaptive bypass: a function whose calls are all faster than its time
# threshold (so never stored) and than a store lookup stops asking the store,
# but for a sample; results stay exact. With time_threshold = 0 nothing is
# bypassed. The store is a real memcached (a lookup is a round trip, tens of
# microseconds) and the function a few nanoseconds of arithmetic, so which
# is cheaper is never in doubt.
source "$TOP/tests/lib.sh"

start_memcached
mkdir memo.d
printf '[function fast_pure]\nprototype = int fast_pure(int x)\ntime_threshold = 10\n' >memo.d/fast.conf
printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nstats = %s\n' "$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/mt/fastloop" 2000 >plain.out || fail "plain run"
under_memo "$P/mt/fastloop" 2000 >out 2>err || { cat err; fail "run"; }
same plain.out out "fast calls"
expect_eq "$(stat_of stats.jsonl fast_pure bypassed)" 2000 "calls below the threshold"
skipped=$(stat_of stats.jsonl fast_pure lookups_skipped)
# 16 calls measure; after that all but one call in 64 skip the lookup
[ "$skipped" -ge 1800 ] && [ "$skipped" -lt 2000 ] ||
	fail "lookups skipped: $skipped of 2000 (expected all but the measured and sampled ones)"

note "time_threshold = 0: every result is wanted, nothing is bypassed"
sed -i 's/time_threshold = 10/time_threshold = 0/' memo.d/fast.conf
under_memo "$P/mt/fastloop" 2000 >out 2>err || fail "run with threshold 0"
same plain.out out "fast calls, threshold 0"
expect_eq "$(stat_of stats.jsonl fast_pure lookups_skipped)" 0 "lookups skipped with threshold 0"
expect_eq "$(stat_of stats.jsonl fast_pure sets)" 2000 "every result stored with threshold 0"
