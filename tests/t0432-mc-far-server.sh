#!/usr/bin/env bash
# Latency-aware: a pool of a near server and a far one (a relay adding 15 ms
# each way, so a question costs ~30 ms), for a function of about a
# millisecond. Once measured, the far server is not asked, but for a
# sample: its keys compute (counted in lookups_skipped), the near server's
# keep hitting, and the output is exactly the unmemoized one. A near server
# alone is always asked (t0013: nothing is skipped with time_threshold = 0).
source "$TOP/tests/lib.sh"

start_memcached
NEAR=$MC_PORT
start_memcached
FAR_MC=$MC_PORT
start_relay mcdelay.py "$FAR_MC" 15
FAR=$RELAY_PORT

mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/mc_slow.conf memo.d/
printf '[cache]\ndir = off\nservers = 127.0.0.1:%s, 127.0.0.1:%s\ntimeout_ms = 1000\nstats = %s\n' \
	"$NEAR" "$FAR" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
K=160
entries() { python3 "$TOP/tests/progs/mc/mcraw.py" "$1" keys | grep -cE '^m1-[0-9a-f]{64}$'; }
run() {
	reset_runs
	rm -f stats.jsonl
	under_memo "$bin" $K >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1: run"; }
	same plain.out "$1.out" "$1"
}

MEMO_DISABLE=1 "$bin" $K >plain.out || fail "plain run"
run fill
expect_eq "$(runs mc_slow)" $K "fill: bodies run"
near=$(entries "$NEAR")
far=$(entries "$FAR_MC")
note "entries: $near near, $far far"
[ "$near" -ge 40 ] && [ "$far" -ge 40 ] || fail "the keys are not spread: $near near, $far far"
expect_eq $((near + far)) $K "every result stored, the far server's too"

run again
skipped=$(stat_of stats.jsonl mc_slow lookups_skipped)
hits=$(stat_of stats.jsonl mc_slow hits)
note "again: $hits hits, $skipped lookups skipped, $(runs mc_slow) bodies run"
# The near server is asked for each of its keys; the far one for its first
# 16 (the measure) and one call in 64 after that.
[ "$hits" -ge "$near" ] || fail "the near server's keys did not all hit ($hits hits, $near near)"
[ "$skipped" -ge $((far - 16 - far / 32 - 2)) ] || fail "the far server was still asked: $skipped skipped of $far"
expect_eq "$(runs mc_slow)" "$skipped" "bodies run: the skipped calls alone"
expect_eq "$(stat_of stats.jsonl mc_slow errors)/$(stat_of stats.jsonl mc_slow timeouts)" 0/0 "errors/timeouts"
