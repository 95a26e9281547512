#!/usr/bin/env bash
# Owns: every memcached request has timeout_ms in all, not per poll
# (store/mc_io.c cuts each poll libmemcached makes to what is left of it). A
# stand-in server (tests/progs/mc/mcbogus.py) answers correctly but one byte
# at a time, 25 ms apart: never silent for timeout_ms = 100, never done in
# time. Before, each poll waited anew and a hit took seconds (a reply is
# ~150 bytes), as did a 4 GiB VALUE line dripped before its refusal. Each
# run must produce the unmemoized output and end within a bound that is the
# behaviour here: 10 x timeout_ms for each of its requests (three calls, two
# flush generations read at the first call), 5 s, where the old build took
# over 10 s for the hits alone. Timeouts are counted.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/mc_slow.conf memo.d/
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
K=3

MEMO_DISABLE=1 "$bin" $K >plain.out || fail "plain run"
for length in real 4294967296; do
	pf="$T/slow.port.$length"
	python3 "$TOP/tests/progs/mc/mcbogus.py" "$pf" "$length" 25 &
	pid=$!
	_pids+=("$pid")
	for i in $(seq 1 200); do
		[ -s "$pf" ] && break
		kill -0 "$pid" 2>/dev/null || fail "mcbogus.py did not start"
		sleep 0.02
	done
	[ -s "$pf" ] || fail "mcbogus.py did not report its port"
	for run in first second; do
		printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\ntimeout_ms = 100\nstats = %s\n' \
			"$(cat "$pf")" "$T/stats.$length.$run.jsonl" >memo.d/cache.conf
		rc=0
		timeout 5 env LD_PRELOAD="$PRELOAD" "$bin" $K >"$length.$run.out" 2>"$length.$run.err" || rc=$?
		[ $rc != 124 ] || fail "$length, $run run: not over within 5 s"
		[ $rc = 0 ] || { cat "$length.$run.err" >&2; fail "$length, $run run: exit $rc"; }
		same plain.out "$length.$run.out" "$length, $run run"
	done
	[ "$(stat_of "stats.$length.second.jsonl" mc_slow timeouts)" -ge 1 ] ||
		fail "$length: no timeout counted"
	stop_pid "$pid"
done
exit 0
