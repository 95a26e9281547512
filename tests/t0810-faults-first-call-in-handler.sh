#!/usr/bin/env bash
# Owns: a hook's first call made inside a signal handler (src/call/prime.c,
# src/base/sigframe.c). Eight configured functions are first called from a
# SIGALRM handler that interrupts a main loop living in malloc and free; a
# first call primes, and priming allocates. It used to corrupt the heap (an
# abort, a crash or a wrong checksum in most of these runs); now such a call
# runs the original, and the same functions called from main afterwards are
# memoized. Each run's output and exit status are those without libmemo.
# The same with the loop and the handler in a second thread (its stack
# bounded by its control block, src/base/sigframe.c): this used to hang (a
# malloc lock taken twice) or corrupt the heap; and with the handler on an
# alternate signal stack. Last, calls in the handler that miss and are
# stored in a folder over its max_size: the eviction scan allocates, and a
# set made in a handler leaves it to a later set (src/store/store_folder.c;
# 5 runs in 10 aborted before).
source "$TOP/tests/lib.sh"

cat >prog.c <<'C'
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define BODY(n) __attribute__((noinline)) long f##n(long x) \
	{ long s = x; for (int i = 0; i < 50; i++) s = s * 31 + i + n; return s; }
BODY(0) BODY(1) BODY(2) BODY(3) BODY(4) BODY(5) BODY(6) BODY(7)
static long (*const fns[8])(long) = { f0, f1, f2, f3, f4, f5, f6, f7 };

#define ALARMS 400
static volatile sig_atomic_t alarms;
static volatile long from_handler;

static int distinct;	/* evict: every call of the handler's is a miss */

/* Each alarm calls the next function: the first eight are first calls. */
static void on_alarm(int sig)
{
	(void)sig;
	if (alarms < ALARMS) {
		from_handler += fns[alarms % 8](distinct ? alarms : alarms % 5);
		alarms++;
	}
}

static unsigned long bad;

/* lives in malloc and free until the last alarm; each block is checked
 * before it goes */
static void *loop(void *unblock)
{
	static unsigned char *blocks[64];
	static size_t sizes[64];
	unsigned long lcg = 1;

	if (unblock) {
		sigset_t alrm;

		sigemptyset(&alrm);
		sigaddset(&alrm, SIGALRM);
		pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	}
	while (alarms < ALARMS) {
		unsigned i = (lcg = lcg * 6364136223846793005ul + 1) >> 58;

		if (blocks[i]) {
			for (size_t k = 0; k < sizes[i]; k++)
				bad += blocks[i][k] != (unsigned char)(i + sizes[i]);
			free(blocks[i]);
		}
		sizes[i] = (lcg >> 20) % 2000 + 1;
		blocks[i] = malloc(sizes[i]);
		memset(blocks[i], (int)(i + sizes[i]), sizes[i]);
	}
	return NULL;
}

/* prog [thread|altstack|evict]: the loop and the handler in main, or in a
 * second thread (main blocks SIGALRM and waits), or in main with the
 * handler on an alternate signal stack; or (evict) the functions first
 * called in main, then each alarm's call a miss to be stored */
int main(int argc, char **argv)
{
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, stop = { { 0, 0 }, { 0, 0 } };
	long from_main = 0;

	signal(SIGALRM, on_alarm);
	if (argc > 1 && !strcmp(argv[1], "evict")) {
		distinct = 1;
		for (int k = 0; k < 8; k++)
			from_main += fns[k](-1);
	}
	if (argc > 1 && !strcmp(argv[1], "altstack")) {
		static char altstack[1 << 16];
		stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
		struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_ONSTACK };

		sigaltstack(&ss, NULL);
		sigaction(SIGALRM, &sa, NULL);
	}
	if (argc > 1 && !strcmp(argv[1], "thread")) {
		sigset_t alrm;
		pthread_t worker;

		sigemptyset(&alrm);
		sigaddset(&alrm, SIGALRM);
		pthread_sigmask(SIG_BLOCK, &alrm, NULL);
		setitimer(ITIMER_REAL, &every, NULL);
		pthread_create(&worker, NULL, loop, "unblock");
		pthread_join(worker, NULL);
	} else {
		setitimer(ITIMER_REAL, &every, NULL);
		loop(NULL);
	}
	setitimer(ITIMER_REAL, &stop, NULL);
	for (int k = 0; k < 16; k++)
		from_main += fns[k % 8](k % 5);
	printf("from the handler %ld, from main %ld, bad bytes %lu\n", from_handler, from_main, bad);
	return 0;
}
C
cc -O2 -pthread -o prog prog.c || fail "building the program"
for i in 0 1 2 3 4 5 6 7; do
	conf_function f$i "long f$i(long x)" mechanism=inline
done
conf_cache dir="$T/cache-evict" max_size=4K
mv memo.d memo.evict
for i in 0 1 2 3 4 5 6 7; do
	conf_function f$i "long f$i(long x)" mechanism=inline
done
conf_cache dir="$T/cache"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 ./prog >plain.out || fail "plain run"
for how in thread altstack; do
	MEMO_DISABLE=1 ./prog $how >plain-$how.out || fail "plain run, $how"
	same plain.out plain-$how.out "the plain runs"
done
MEMO_LOG=info under_memo ./prog >/dev/null 2>info.err || { cat info.err; fail "first run"; }
grep -q "'f7' memoized (" info.err || { cat info.err; fail "the functions are not entry-patched"; }

# Each run has eight first calls in a handler. Before, 12 runs in 20
# aborted (malloc's own checks), and 19 in 20 with the thread hung (the
# first hang fails the test after 30 s).
for run in $(seq 60); do
	for how in "" thread altstack; do
		timeout 30 env LD_PRELOAD="$PRELOAD" MEMO_STATS="$T/stats.jsonl" ./prog $how \
			>run.out 2>run.err
		rc=$?
		[ $rc = 0 ] || { cat run.err; fail "run $run $how: exit status $rc"; }
		same plain.out run.out "run $run $how"
	done
done
MEMO_DISABLE=1 ./prog evict >plain-evict.out || fail "plain run, evict"
for run in $(seq 30); do
	timeout 30 env LD_PRELOAD="$PRELOAD" MEMO_CONFIG="$T/memo.evict" ./prog evict \
		>run.out 2>run.err
	rc=$?
	[ $rc = 0 ] || { cat run.err; fail "run $run evict: exit status $rc"; }
	same plain-evict.out run.out "run $run evict"
done
MEMO_LOG=info under_memo env MEMO_CONFIG="$T/memo.evict" ./prog evict >/dev/null 2>info.err
grep -q "evicted" info.err || { cat info.err; fail "nothing was evicted: the bound is never reached"; }
# from main, after the handler's calls: 16 calls of 8 functions, each
# memoized (hits in every run but the first)
hits=$(stat_sum stats.jsonl f0 hits)
[ "$hits" -gt 0 ] || fail "f0 was never served from the cache (hits: $hits)"
exit 0
