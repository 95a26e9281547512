#!/usr/bin/env bash
# End to end through a pool of 3 memcached servers: one killed, another
# stopped (SIGSTOP): the program's output stays exactly right, it finishes,
# the entries of the lost servers are recomputed, and the stats count the
# errors and timeouts; the killed server restarted: hits resume.
source "$TOP/tests/lib.sh"

start_memcached; P1=$MC_PORT
start_memcached; P2=$MC_PORT; PID2=$MC_PID
start_memcached; P3=$MC_PORT; PID3=$MC_PID
mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
printf '[cache]\ndir = off\nservers = 127.0.0.1:%s, 127.0.0.1:%s, 127.0.0.1:%s\nstats = %s\n' \
	"$P1" "$P2" "$P3" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
K=24
entries() { python3 "$TOP/tests/progs/mc/mcraw.py" "$1" keys | grep -cE '^m1-[0-9a-f]{64}$'; }
run() {	# run NAME: a process on one node (no folder: every hit from the pool)
	reset_runs
	under_memo "$bin" $K >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1: run"; }
	same plain.out "$1.out" "$1"
}

MEMO_DISABLE=1 "$bin" $K >plain.out || fail "plain run"
run fill
E1=$(entries "$P1"); E2=$(entries "$P2"); E3=$(entries "$P3")
note "entries per server: $E1 $E2 $E3"
for e in "$E1" "$E2" "$E3"; do [ "$e" -gt 0 ] || fail "a server holds no entry: $E1 $E2 $E3"; done
expect_eq $((E1 + E2 + E3)) $K "entries over the pool"

note "server 2 killed"
kill -KILL "$PID2"; wait "$PID2" 2>/dev/null
run killed
expect_eq "$(runs mc_slow)" "$E2" "recomputed with server 2 dead"
[ "$(stat_of stats.jsonl mc_slow errors)" -ge 1 ] || fail "errors not counted"

note "server 3 stopped as well"
kill -STOP "$PID3"
run stopped
expect_eq "$(runs mc_slow)" $((E2 + E3)) "recomputed with server 3 stopped"
# Usually a timeout; when the first request to the stopped server fails some
# other way (its connection, under load), the breaker opens and the rest fail
# fast as errors. Either way the failures are counted. (t0403 checks that a
# stopped server's requests time out within the bound, one by one.)
failures=$(( $(stat_of stats.jsonl mc_slow timeouts) + $(stat_of stats.jsonl mc_slow errors) ))
[ "$failures" -ge 1 ] || fail "the stopped server's failures were not counted"
kill -CONT "$PID3"

note "server 2 restarted, empty"
start_memcached -p "$P2"
run refill
expect_eq "$(runs mc_slow)" "$E2" "recomputed into the restarted server"
run again
expect_eq "$(runs mc_slow)" 0 "bodies run once the pool is whole"
