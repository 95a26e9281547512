#!/usr/bin/env bash
# memcached store: a server that stops answering (SIGSTOP). Each get returns
# within the configured timeout (the driver measures every call: here the
# bound on time is the behaviour under test), the breaker stops asking, the
# total stays bounded; after SIGCONT the answers are right again.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached; P1=$MC_PORT
start_memcached; P2=$MC_PORT; PID2=$MC_PID
TO=50

mc_driver "127.0.0.1:$P1,127.0.0.1:$P2" $TO
mc set k 200 100
expect_eq "$(val stored)" 200 "stored"
kill -STOP "$PID2"
for round in 1 2 3; do
	mc get k 200 100
	expect_eq "$(val bad)" 0 "wrong values"
	# connect + one poll at most, with generous slack for a loaded machine.
	awk -v m="$(val maxms)" -v b=$((2 * TO + 400)) 'BEGIN { exit !(m <= b) }' ||
		fail "a get took $(val maxms) ms (bound $((2 * TO + 400)) ms)"
	# The breaker opens after 2 timeouts; only probes wait after that.
	[ "$(val timeouts)" -le 3 ] || fail "the breaker did not stop the waits: $R"
	awk -v t="$(val totalms)" 'BEGIN { exit !(t <= 3000) }' || fail "total $(val totalms) ms"
	[ "$(val hits)" -ge 1 ] || fail "the live server gave no hit: $R"
done
kill -CONT "$PID2"
mc setall k 200 100 20
expect_eq "$(val stored)" 200 "stored after SIGCONT"
mc get k 200 100
expect_eq "$(val hits)/$(val bad)" 200/0 "hits after SIGCONT"
