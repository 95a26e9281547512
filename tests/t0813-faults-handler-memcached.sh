#!/usr/bin/env bash
# Owns: calls made inside a signal handler when serving them would use the
# heap (call.c's needs_heap: the memcached store, whose libmemcached calls
# allocate: a thread's connection at its first use, each value it returns).
# Eight functions are primed from main; then a SIGALRM handler calls them
# while the loop it interrupts lives in malloc, calloc and free: in main,
# 200 alarms, whose connection exists; and in 40 threads one after the
# other, each sent one alarm, whose first memcached call (its connection)
# would be made in the handler. Such a call runs unmemoized (counted as bypassed); before, the
# heap was corrupted (an abort, a crash or a wrong checksum) in most runs.
# Each run's output and exit status are those without libmemo; the calls
# from main after the alarms are still memoized.
source "$TOP/tests/lib.sh"
command -v memcached >/dev/null || skip "no memcached"

cat >prog.c <<'C'
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define BODY(n) __attribute__((noinline)) long f##n(long x) \
	{ long s = x; for (int i = 0; i < 50; i++) s = s * 31 + i + n; return s; }
BODY(0) BODY(1) BODY(2) BODY(3) BODY(4) BODY(5) BODY(6) BODY(7)
static long (*const fns[8])(long) = { f0, f1, f2, f3, f4, f5, f6, f7 };

#define ALARMS 200
#define WORKERS 40
static volatile sig_atomic_t alarms, limit;
static volatile long from_handler;
static long base;	/* the run's arguments */

static void on_alarm(int sig)
{
	(void)sig;
	if (alarms < limit) {
		from_handler += fns[alarms % 8](base + alarms);
		alarms++;
	}
}

static unsigned long bad;

/* lives in malloc, calloc and free until `until` alarms came; each block is
 * checked before it goes */
static void *loop(void *until)
{
	unsigned char *blocks[64] = { 0 };
	size_t sizes[64];
	unsigned long lcg = (unsigned long)until;

	while (alarms < (long)until) {
		unsigned i = (lcg = lcg * 6364136223846793005ul + 1) >> 58;

		if (blocks[i]) {
			for (size_t k = 0; k < sizes[i]; k++)
				bad += blocks[i][k] != (unsigned char)(i + sizes[i]);
			free(blocks[i]);
		}
		sizes[i] = (lcg >> 20) % 8000 + 1;	/* most past the tcache: the arena's lock */
		blocks[i] = i & 1 ? calloc(1, sizes[i]) : malloc(sizes[i]);
		memset(blocks[i], (int)(i + sizes[i]), sizes[i]);
	}
	for (unsigned i = 0; i < 64; i++)
		free(blocks[i]);
	return NULL;
}

/* prog BASE [threads]: the loop and the alarms' handler in main; or in
 * WORKERS threads one after the other, each sent one SIGALRM (its first
 * memoized call, and so its first memcached call, is the handler's) */
int main(int argc, char **argv)
{
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, stop = { { 0, 0 }, { 0, 0 } };
	long from_main = 0;

	base = atol(argv[1]) * 1000;
	for (int k = 0; k < 8; k++)
		from_main += fns[k](-1);
	signal(SIGALRM, on_alarm);
	if (argc > 2) {
		base += 500;	/* misses, not main's arguments */
		for (long w = 1; w <= WORKERS; w++) {
			pthread_t worker;

			limit = w;
			pthread_create(&worker, NULL, loop, (void *)w);
			usleep(500 + 100 * w);
			pthread_kill(worker, SIGALRM);
			pthread_join(worker, NULL);
		}
	} else {
		limit = ALARMS;
		setitimer(ITIMER_REAL, &every, NULL);
		loop((void *)ALARMS);
		setitimer(ITIMER_REAL, &stop, NULL);
	}
	for (int k = 0; k < 16; k++)
		from_main += fns[k % 8](k % 5);
	printf("from the handler %ld, from main %ld, bad bytes %lu\n", from_handler, from_main, bad);
	return 0;
}
C
cc -O2 -pthread -o prog prog.c || fail "building the program"
start_memcached
for i in 0 1 2 3 4 5 6 7; do
	conf_function f$i "long f$i(long x)" mechanism=inline
done
conf_cache servers="127.0.0.1:$MC_PORT" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_LOG=info under_memo ./prog 0 >/dev/null 2>info.err || { cat info.err; fail "first run"; }
grep -q "'f7' memoized (" info.err || { cat info.err; fail "the functions are not entry-patched"; }
for run in $(seq 40); do
	for how in "" threads; do
		MEMO_DISABLE=1 timeout 10 ./prog $run $how >plain.out || fail "plain run $run $how"
		timeout 10 env LD_PRELOAD="$PRELOAD" ./prog $run $how >run.out 2>run.err
		rc=$?
		[ $rc = 0 ] || { cat run.err; fail "run $run $how: exit status $rc"; }
		same plain.out run.out "run $run $how"
		said run.err && { cat run.err; fail "run $run $how said something"; }
	done
done
# from main, after the alarms: 16 calls of 8 functions, memoized (hits from
# the second run on); the handler's calls bypassed
[ "$(stat_sum stats.jsonl f0 hits)" -gt 0 ] || fail "f0 was never served from the cache"
[ "$(stat_sum stats.jsonl f0 bypassed)" -gt 0 ] || fail "no call of f0 was bypassed"
exit 0
