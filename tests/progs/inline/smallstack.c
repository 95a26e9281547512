/*
 * t0512's program: a memoized function called where the stack is small, as
 * programs do: threads with the smallest stack pthreads allow, makecontext
 * coroutines, a signal handler on its own alternate stack. Every small stack
 * is mmap'd with an inaccessible page below it, so an overflow faults
 * instead of writing over something else.
 *   smallstack thread KIB N     N calls in a thread with a KIB KiB stack
 *   smallstack coro KIB N       N calls in a coroutine with a KIB KiB stack,
 *                               switching back to main after each call
 *   smallstack signal KIB N     N SIGUSR1s, each handled on a KIB KiB
 *                               sigaltstack by a handler that calls it;
 *                               on stderr, the most of it they used
 *   smallstack measure 0 N      N calls on the main thread; on stderr, the
 *                               most stack each call took, in bytes
 * Prints every result on stdout. sq's body reports that it ran (runs.h).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "runs.h"

__attribute__((noinline)) long sq(long n)
{
	test_ran("sq");
	return n * n + 1;
}

static long n_calls;
static long used[64];
static long results[64];

static void calls(void)
{
	for (long i = 0; i < n_calls && i < 64; i++)
		results[i] = sq(i % 5);
}

#define PROBE (256 * 1024)

/* Fill PROBE bytes below the caller's frame with a pattern... */
__attribute__((noinline)) static void fill_below(void)
{
	char *sp = __builtin_frame_address(0);

	memset(sp - PROBE, 0xa5, PROBE - 256);
}

/* ...and after a call, how far down the call wrote. */
__attribute__((noinline)) static long used_below(void)
{
	char *sp = __builtin_frame_address(0), *p = sp - PROBE;

	while (p < sp - 256 && *p == (char)0xa5)
		p++;
	return (long)(sp - 256 - p);
}

static void measure(void)
{
	for (long i = 0; i < n_calls && i < 64; i++) {
		fill_below();
		results[i] = sq(i % 5);
		used[i] = used_below();
	}
	for (long i = 0; i < n_calls && i < 64; i++)
		fprintf(stderr, "stack used by call %ld: %ld\n", i + 1, used[i]);
}

static void print_results(void)
{
	for (long i = 0; i < n_calls && i < 64; i++)
		printf("sq(%ld) = %ld\n", i % 5, results[i]);
}

/* KIB KiB of stack with a PROT_NONE page below it. */
static void *small_stack(long kib)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = (size_t)kib * 1024;
	char *p = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p, page, PROT_NONE)) {
		perror("smallstack: mmap");
		exit(1);
	}
	return p + page;
}

static void *thread_main(void *arg)
{
	(void)arg;
	calls();
	return NULL;
}

static int in_thread(long kib)
{
	pthread_attr_t attr;
	pthread_t t;

	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstack(&attr, small_stack(kib), (size_t)kib * 1024) ||
	    pthread_create(&t, &attr, thread_main, NULL) || pthread_join(t, NULL)) {
		fprintf(stderr, "smallstack: no thread with a %ld KiB stack\n", kib);
		return 1;
	}
	return 0;
}

static ucontext_t main_ctx, coro_ctx;

/* One call, then back to main: the first call and each later one start from
 * a coroutine that was switched away from. */
static void coro_main(void)
{
	for (long i = 0; i < n_calls && i < 64; i++) {
		results[i] = sq(i % 5);
		swapcontext(&coro_ctx, &main_ctx);
	}
}

static int in_coroutine(long kib)
{
	if (getcontext(&coro_ctx))
		return 1;
	coro_ctx.uc_stack.ss_sp = small_stack(kib);
	coro_ctx.uc_stack.ss_size = (size_t)kib * 1024;
	coro_ctx.uc_link = &main_ctx;
	makecontext(&coro_ctx, coro_main, 0);
	for (long i = 0; i < n_calls && i < 64; i++)
		if (swapcontext(&main_ctx, &coro_ctx))
			return 1;
	return 0;
}

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	results[handled] = sq(handled % 5);
	handled++;
}

static int in_handler(long kib)
{
	stack_t ss = { .ss_sp = small_stack(kib), .ss_size = (size_t)kib * 1024 };
	struct sigaction sa;
	char *low;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, NULL))
		return 1;
	/* As in a program that has run a while, the libc functions sq's body
	 * calls are bound already: their lazy binding (an XSAVEC of some 2.7 KiB
	 * where AVX-512 is on) is not the handler's to pay. */
	test_ran("smallstack");
	memset(ss.ss_sp, 0xa5, ss.ss_size);
	for (long i = 0; i < n_calls && i < 64; i++)
		raise(SIGUSR1);
	for (low = ss.ss_sp; low < (char *)ss.ss_sp + ss.ss_size && *low == (char)0xa5; low++)
		;
	fprintf(stderr, "signal stack used: %ld\n", (long)((char *)ss.ss_sp + ss.ss_size - low));
	return handled == n_calls ? 0 : 1;
}

int main(int argc, char **argv)
{
	long kib;
	int r;

	if (argc != 4)
		return 2;
	kib = atol(argv[2]);
	n_calls = atol(argv[3]);
	if (!strcmp(argv[1], "thread"))
		r = in_thread(kib);
	else if (!strcmp(argv[1], "coro"))
		r = in_coroutine(kib);
	else if (!strcmp(argv[1], "signal"))
		r = in_handler(kib);
	else if (!strcmp(argv[1], "measure"))
		measure(), r = 0;
	else
		return 2;
	print_results();
	return r;
}
