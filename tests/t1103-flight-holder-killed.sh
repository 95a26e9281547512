# single flight with its holder killed (SIGKILL) in the middle of the body:
# the callers waiting on its lease are not blocked for good; when the lease
# expires (single_flight_wait_s after it was taken) exactly one of them takes
# it over and computes, the others get that result within their own wait, and
# every surviving caller prints the right value — folder store and memcached.
# The waiters start 3 s after the holder, so their waits (5 s each) outlast
# the dead holder's lease by 3 s (2 s on memcached, whose expiry is counted
# in whole seconds): the sleeps order the scenario, nothing is timed.
source "$TOP/tests/lib.sh"

mkdir memo.d
conf_function gated_square 'long gated_square(int x)' single_flight=yes single_flight_wait_s=5
export MEMO_CONFIG="$T/memo.d" FLIGHT_GATE="$T/gate"

for store in folder memcached; do
	note "$store"
	reset_runs
	rm -f stats.jsonl
	if [ $store = folder ]; then
		conf_cache dir="$T/cache" stats="$T/stats.jsonl"
	else
		start_memcached
		conf_cache dir=off servers="127.0.0.1:$MC_PORT" timeout_ms=2000 stats="$T/stats.jsonl"
	fi
	touch gate
	# not through under_memo: $! must be the program's pid, not a subshell's
	LD_PRELOAD="$PRELOAD" "$P/noisy/flight" gated 9 >holder.out 2>holder.err &
	holder=$!
	_pids+=("$holder")
	for i in $(seq 1 500); do
		[ "$(runs gated_square)" = 1 ] && break
		kill -0 $holder 2>/dev/null || { cat holder.err; fail "$store: the holder exited"; }
		sleep 0.02
	done
	expect_eq "$(runs gated_square)" 1 "$store: the holder is in the body"
	sleep 3
	under_memo "$P/noisy/flight" gated 9 3 1 >out 2>err &
	waiters=$!
	_pids+=("$waiters")
	kill -KILL $holder
	wait $holder 2>/dev/null
	rm gate		# from now on a body returns at once
	wait $waiters || { cat err; fail "$store: waiters failed"; }
	printf '9 -> 82\n9 -> 82\n9 -> 82\n' >want
	same want out "$store: surviving callers"
	expect_eq "$(runs gated_square)" 2 "$store: body runs (the killed holder's and one takeover)"
	expect_eq "$(stat_sum stats.jsonl gated_square evaluations)" 1 "$store: evaluations by the waiters"
	expect_eq "$(stat_sum stats.jsonl gated_square hits)" 2 "$store: waiters served by the takeover"
	expect_eq "$(stat_sum stats.jsonl gated_square wait_expired)" 0 "$store: waits that ran out"
	expect_eq "$(stat_sum stats.jsonl gated_square waited)" 3 "$store: waiters"
done
