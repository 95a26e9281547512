# 4 processes of 2 threads each evaluate the same key at once: the count the
# entry holds equals the number of body runs — no update lost — on the folder
# store and on a real memcached.
source "$TOP/tests/lib.sh"

mkdir memo.d
conf_function noisy_slow 'double noisy_slow(int key)' allow_repeated_evaluations=yes \
	rtol_stderr=1e-12 max_repetitions=1000000
export MEMO_CONFIG="$T/memo.d"

note "folder store"
conf_cache dir="$T/cache" small_store=no	# the entry is read as a file below
under_memo "$P/noisy/noisy" slow 5 10 4 2 >out 2>err || { cat err; fail "run"; }
body=$(runs noisy_slow)
expect_eq "$body" 80 "body runs"
stored=$(python3 "$TOP/tests/entries.py" folder cache | sed -n 's/.* count=\([0-9]*\) .*/\1/p')
expect_eq "$stored" "$body" "count stored in the folder entry"

note "memcached"
start_memcached
reset_runs
conf_cache dir=off servers="127.0.0.1:$MC_PORT" timeout_ms=2000
under_memo "$P/noisy/noisy" slow 6 10 4 2 >out 2>err || { cat err; fail "run"; }
body=$(runs noisy_slow)
expect_eq "$body" 80 "body runs"
stored=$(python3 "$TOP/tests/entries.py" memcached "$MC_PORT" | sed -n 's/.* count=\([0-9]*\) .*/\1/p')
expect_eq "$stored" "$body" "count stored in memcached"
