#!/usr/bin/env bash
# Owns: a memcached request that fails inside a signal handler (the server
# gone): libmemcached records the error in blocks it allocates, and fails
# an assertion (aborting the process) when it gets none; inside a handler
# they come from the thread's spare area, and what it frees waits for the
# next request outside one (src/store/store_memcached.c: mc_spare_*,
# mc_mem_free). tests/progs/handler/grow.c, whose own malloc and kin abort
# inside its handler, as in t0814: main's first call reaches the server,
# which is then stopped (SIGTERM, by its pid) before the 200 alarms whose
# handler calls fill. The old build aborted (a malloc inside the handler),
# and so did an intermediate one that refused those blocks (libmemcached's
# assertion prints a backtrace, which allocates, then aborts). Now each
# run's output and exit status are those without libmemo; the calls after
# the failure compute, counted as bypassed.
source "$TOP/tests/lib.sh"
command -v memcached >/dev/null || skip "no memcached"

G=$P/handler/grow
conf_function fill 'void fill(long n, long seed, out double a[n])' mechanism=inline time_threshold=0
export MEMO_CONFIG="$T/memo.d"
MEMO_DISABLE=1 timeout 20 $G main >plain.out || fail "plain run"
for i in 1 2 3; do
	start_memcached
	conf_cache servers="127.0.0.1:$MC_PORT" dir=off stats="$T/stats.jsonl"
	rm -f gate.past
	touch gate
	GROW_GATE="$T/gate" timeout 20 env LD_PRELOAD="$PRELOAD" $G main >run.out 2>run.err &
	prog=$!
	_pids+=("$prog")
	for _ in $(seq 500); do
		[ -e gate.past ] && break
		kill -0 $prog 2>/dev/null || break
		sleep 0.02
	done
	[ -e gate.past ] || { cat run.err; fail "run $i: main's first call did not return"; }
	stop_pid "$MC_PID"
	rm gate
	wait $prog
	rc=$?
	[ $rc = 0 ] || { cat run.err; fail "run $i: exit status $rc"; }
	same plain.out run.out "run $i"
done
[ "$(stat_sum stats.jsonl fill errors)" -gt 0 ] || fail "no request failed"
[ "$(stat_sum stats.jsonl fill bypassed)" -gt 0 ] || fail "no call was held back"
exit 0
