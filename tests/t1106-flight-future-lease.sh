# single flight on the folder store, when the lease a killed holder left has
# an mtime in the future (a clock set back, a touch): the lease counts as
# expired (store_folder.c folder_lease), so the next caller takes it over and
# computes at once instead of waiting out single_flight_wait_s. Seen by body
# runs and stats; the wait is 600 s and the run is bounded by `timeout 60`, so
# a caller that waits out the future lease fails the test, never hangs it.
source "$TOP/tests/lib.sh"

conf_function gated_square 'long gated_square(int x)' single_flight=yes single_flight_wait_s=600
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d" FLIGHT_GATE="$T/gate"

MEMO_DISABLE=1 "$P/noisy/flight" gated 9 >plain.out || fail "plain run"	# no gate yet: returns at once
reset_runs

note "a holder takes the lease and is killed in the body"
start_holder
kill -KILL $HOLDER
wait $HOLDER 2>/dev/null
rm gate		# from now on a body returns at once
lease=$(find cache -name 'lease1-*')
[ -n "$lease" ] && [ -f "$lease" ] || fail "the killed holder left no lease file"
touch -d '+1 hour' "$lease" || fail "touch -d"

note "the next caller takes the future-dated lease over"
reset_runs
timeout 60 env LD_PRELOAD="$PRELOAD" "$P/noisy/flight" gated 9 >out 2>err
rc=$?
[ $rc = 124 ] && fail "the caller waited out the future-dated lease (killed by timeout)"
[ $rc = 0 ] || { cat err; fail "the caller failed ($rc)"; }
same plain.out out "the caller"
expect_eq "$(runs gated_square)" 1 "body runs"
expect_eq "$(stat_sum stats.jsonl gated_square evaluations)" 1 "evaluations"
expect_eq "$(stat_sum stats.jsonl gated_square wait_expired)" 0 "waits that ran out"
expect_eq "$(stat_sum stats.jsonl gated_square waited)" 0 "waiters"

note "a second process hits"
reset_runs
timeout 60 env LD_PRELOAD="$PRELOAD" "$P/noisy/flight" gated 9 >out2 2>err2 || { cat err2; fail "second run"; }
same plain.out out2 "second run"
expect_eq "$(runs gated_square)" 0 "body runs in the second process"
