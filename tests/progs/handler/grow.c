/*
 * grow: a SIGALRM handler that calls a memoized function, fill(n, seed,
 * out a[n]), with growing values (8 to 3,840 bytes), while the code it
 * interrupts lives in malloc and free (t0814, t0815). Its own malloc,
 * calloc, realloc and free abort when called inside its handler (built
 * with PLAIN_HEAP under ASan, whose allocator is the one checked then).
 *
 *   grow store    every value, from main
 *   grow firsts   only the first calls' values (fill(1, 100 + w))
 *   grow main     main's first call, then 200 alarms in main
 *   grow threads  8 threads one after the other, each its first call, then
 *                 7 alarms (pthread_kill)
 * It prints what the handler's and main's calls returned, summed. With
 * GROW_GATE=FILE, main mode waits after main's first call, having made
 * FILE.past, until FILE is gone (a test then stops the server).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* set while this thread runs on_alarm */
static __thread volatile sig_atomic_t handling;

#ifndef PLAIN_HEAP
/* The program's heap, which aborts when its own handler uses it. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static void used_in_handler(const char *what)
{
	static const char m[] = "prog: the heap was used inside the SIGALRM handler: ";

	if (write(2, m, sizeof m - 1) < 0 || write(2, what, strlen(what)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(3);
	abort();
}

void *malloc(size_t n)
{
	if (handling)
		used_in_handler("malloc");
	return __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
	if (handling)
		used_in_handler("calloc");
	return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
	if (handling)
		used_in_handler("realloc");
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p && handling)
		used_in_handler("free");
	__libc_free(p);
}
#endif

__attribute__((noinline)) void fill(long n, long seed, double *a)
{
	for (long i = 0; i < n; i++)
		a[i] = seed * 1000.0 + n + i * 0.5;
}

static const long sizes[] = { 1, 16, 100, 200, 300, 400, 480 };
#define NSIZES 7
#define SEEDS 8
#define ALARMS 200
#define WORKERS 8

static volatile sig_atomic_t alarms, limit;
static volatile double from_handler;
static double space[480];	/* the handler's array: no stack of 4 KiB needed */

static void on_alarm(int sig)
{
	(void)sig;
	handling = 1;
	if (alarms < limit) {
		long n = sizes[alarms % NSIZES], seed = alarms / NSIZES % SEEDS;

		fill(n, seed, space);
		for (long i = 0; i < n; i++)
			from_handler += space[i];
		alarms++;
	}
	handling = 0;
}

static unsigned long bad;
static volatile int ready;

/* lives in malloc and free until `until` alarms came; each block is checked
 * before it goes */
static void *loop(void *until)
{
	unsigned char *blocks[64] = { 0 };
	size_t sizes_[64];
	unsigned long lcg = (unsigned long)until;

	while (alarms < (long)until) {
		unsigned i = (lcg = lcg * 6364136223846793005ul + 1) >> 58;

		if (blocks[i]) {
			for (size_t k = 0; k < sizes_[i]; k++)
				bad += blocks[i][k] != (unsigned char)(i + sizes_[i]);
			free(blocks[i]);
		}
		sizes_[i] = (lcg >> 20) % 8000 + 1;
		blocks[i] = malloc(sizes_[i]);
		memset(blocks[i], (int)(i + sizes_[i]), sizes_[i]);
	}
	for (unsigned i = 0; i < 64; i++)
		free(blocks[i]);
	return NULL;
}

/* Say main's first call is made (FILE.past), then wait until FILE is gone. */
static void gate(const char *file)
{
	char past[4096];
	FILE *f;

	snprintf(past, sizeof past, "%s.past", file);
	if ((f = fopen(past, "w")))
		fclose(f);
	while (access(file, F_OK) == 0)
		usleep(1000);
}

/* worker w: its first call, outside the handler, has a value of its own
 * (served by the store, not by the process's l1); then the loop */
static void *worker(void *w)
{
	double a[1];

	fill(1, 100 + (long)w, a);
	ready = 1;
	return loop((void *)((long)w * NSIZES));
}

int main(int argc, char **argv)
{
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, stop = { { 0, 0 }, { 0, 0 } };
	double from_main = 0;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "store") || !strcmp(argv[1], "firsts")) {
		for (long w = 0; w <= WORKERS; w++)
			fill(1, 100 + w, space);
		for (long seed = 0; seed < SEEDS && argv[1][0] == 's'; seed++)
			for (int s = 0; s < NSIZES; s++) {
				fill(sizes[s], seed, space);
				for (long i = 0; i < sizes[s]; i++)
					from_main += space[i];
			}
	} else if (!strcmp(argv[1], "threads")) {
		signal(SIGALRM, on_alarm);
		for (long w = 1; w <= WORKERS; w++) {
			pthread_t t;

			limit = w * NSIZES;
			ready = 0;
			pthread_create(&t, NULL, worker, (void *)w);
			while (!ready)
				usleep(100);
			while (alarms < limit) {
				pthread_kill(t, SIGALRM);
				usleep(300);
			}
			pthread_join(t, NULL);
		}
	} else {
		double a[1];

		fill(1, 100, a);	/* main's first call: its own value */
		if (getenv("GROW_GATE"))
			gate(getenv("GROW_GATE"));
		signal(SIGALRM, on_alarm);
		limit = ALARMS;
		setitimer(ITIMER_REAL, &every, NULL);
		loop((void *)ALARMS);
		setitimer(ITIMER_REAL, &stop, NULL);
	}
	printf("from the handler %a, from main %a, bad bytes %lu\n", from_handler, from_main, bad);
	return 0;
}
