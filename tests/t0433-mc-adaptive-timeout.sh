#!/usr/bin/env bash
# Owns: timeouts adapt to the latency observed (store_memcached.c, RFC 6298),
# within [timeout_ms, timeout_max_ms]. One memcached behind a relay adding
# 40 ms each way (80 ms a round trip), timeout_ms = 50 (and
# connect_timeout_ms = 1: a request that connects gets no more time, and a
# loopback connect to the relay takes microseconds): with room to adapt
# (timeout_max_ms = 1000) a process times out once or twice, while its
# server's timeout backs off and then follows the round trip, and the second
# process hits; before, every request timed out. Without room
# (timeout_max_ms = 50) every request still times out and the calls compute.
# Outputs are always the unmemoized ones. The first process fills the
# cache: it makes its K calls three times, 300 ms apart (GATE, a file never
# made), since its first request, the flush generation's, times out and it
# computes until it asks again 250 ms later (prime.c); later processes keep
# the generation's copy. K asks stay below the latency-aware skip's 16
# samples (call.c), which would otherwise stop asking this far server.
source "$TOP/tests/lib.sh"

start_memcached
start_relay mcdelay.py "$MC_PORT" 40
FAR=$RELAY_PORT

mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/mc_slow.conf memo.d/
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
K=12
MEMO_DISABLE=1 "$bin" $K >plain.out || fail "plain run"
MEMO_DISABLE=1 "$bin" $K 0 0 "$T/no-gate" >plain3.out || fail "plain run, three rounds"

# run NAME MAX [GATE]: mcmain K with timeout_max_ms = MAX.
run() {
	printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nconnect_timeout_ms = 1\ntimeout_ms = 50\ntimeout_max_ms = %s\nstats = %s\n' \
		"$FAR" "$2" "$T/$1.jsonl" >memo.d/cache.conf
	reset_runs
	under_memo "$bin" $K ${3:+0 0 "$3"} >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1: run"; }
	same "plain${3:+3}.out" "$1.out" "$1"
	note "$1: $(stat_of "$1.jsonl" mc_slow hits) hits, $(stat_of "$1.jsonl" mc_slow sets) sets, $(stat_of "$1.jsonl" mc_slow timeouts) timeouts, $(stat_of "$1.jsonl" mc_slow errors) errors, $(runs mc_slow) bodies run"
}

run fill 1000 "$T/no-gate"
expect_eq "$(stat_of fill.jsonl mc_slow sets)" $K "fill: sets"
t=$(stat_of fill.jsonl mc_slow timeouts)
[ "$t" -ge 1 ] && [ "$t" -le 3 ] || fail "fill: $t timeouts, expected 1 to 3"

# The timeout backs off from 50 ms past the round trip, then follows it.
run adapt 1000
t=$(stat_of adapt.jsonl mc_slow timeouts)
[ "$t" -le 3 ] || fail "adapt: $t timeouts, expected at most 3"
h=$(stat_of adapt.jsonl mc_slow hits)
[ "$h" -ge $((K - 2)) ] || fail "adapt: $h hits of $K: the timeout did not adapt"
expect_eq "$(stat_of adapt.jsonl mc_slow errors)" 0 "adapt: errors"

# No room to adapt: every request times out or, the breaker open, fails
# fast; every call computes.
run fixed 50
expect_eq "$(stat_of fixed.jsonl mc_slow hits)" 0 "fixed: hits"
expect_eq "$(runs mc_slow)" $K "fixed: bodies run"
[ "$(stat_of fixed.jsonl mc_slow timeouts)" -ge 2 ] || fail "fixed: fewer than 2 timeouts counted"
exit 0
