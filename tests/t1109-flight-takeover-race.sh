# single flight on memcached: the waiters of a lease that ends without a
# result (its holder killed) all see it free at once and race to take it
# over. A waiter whose `add` reaches the server only after another caller
# took the lease, computed, stored and dropped it, wins that `add`; it must
# look the entry up once more and be served, not compute a second time.
# A relay (mchold.py) makes the race certain: it holds the waiter's `add`
# until the other caller has run. Order, not timing: the waiter starts 4 s
# after the holder took its lease, which lasts 8 to ~10 s (memcached counts
# expiry in whole seconds): its first lookup still finds the lease held,
# and its 8 s wait outlasts it.
# (t1103 is the same end with the callers left to race on their own.)
source "$TOP/tests/lib.sh"

start_memcached
start_relay mchold.py "$MC_PORT" "$T/hold"

mkdir memo.d
conf_function gated_square 'long gated_square(int x)' single_flight=yes single_flight_wait_s=8
conf_cache dir=off servers="127.0.0.1:$RELAY_PORT" timeout_ms=20000 stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d" FLIGHT_GATE="$T/gate"

touch hold	# a lookup's `add` (noreply) passes; a lone `add` waits
start_holder
kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null
rm gate		# from now on a body returns at once
sleep 4

note "the waiter sees the dead holder's lease end, and its add is held"
under_memo "$P/noisy/flight" gated 9 >waiter.out 2>waiter.err &
waiter=$!
_pids+=("$waiter")
for i in $(seq 1 1000); do
	[ -e hold.held ] && break
	kill -0 "$waiter" 2>/dev/null || { cat waiter.err; fail "the waiter ended before its add"; }
	sleep 0.02
done
[ -e hold.held ] || fail "the waiter never tried to take the lease"

note "meanwhile another caller takes the lease, computes, stores, drops it"
under_memo "$P/noisy/flight" gated 9 >other.out 2>other.err || { cat other.err; fail "the other caller failed"; }
expect_eq "$(runs gated_square)" 2 "body runs before the waiter goes on (the holder's, the other's)"

note "the waiter's add now wins a lease that nobody holds"
rm hold
wait "$waiter" || { cat waiter.err; fail "the waiter failed"; }
printf '9 -> 82\n' >want
same want waiter.out "the waiter's result"
same want other.out "the other caller's result"
expect_eq "$(runs gated_square)" 2 "body runs (the waiter looked again, and found the result)"
expect_eq "$(stat_sum stats.jsonl gated_square evaluations)" 1 "evaluations (the other caller's)"
expect_eq "$(stat_sum stats.jsonl gated_square hits)" 1 "hits (the waiter's)"
expect_eq "$(stat_sum stats.jsonl gated_square waited)" 1 "waiters"
expect_eq "$(stat_sum stats.jsonl gated_square wait_expired)" 0 "waits that ran out"
