/*
 * noisy FUNC KEY CALLS [PROCS THREADS]: call FUNC(KEY) CALLS times in each of
 * THREADS threads of PROCS processes (default 1 and 1), and print the last
 * value each thread got, one line per thread (%.17g).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

double noisy_pos(int key);
double noisy_neg(int key);
double noisy_zero(int key);
int exact(int key);
double noisy_slow(int key);

static const char *func;
static int key, calls;

static double call_once(void)
{
	if (!strcmp(func, "pos"))
		return noisy_pos(key);
	if (!strcmp(func, "neg"))
		return noisy_neg(key);
	if (!strcmp(func, "zero"))
		return noisy_zero(key);
	if (!strcmp(func, "exact"))
		return exact(key);
	return noisy_slow(key);
}

static void *worker(void *arg)
{
	double *last = arg;
	int i;

	for (i = 0; i < calls; i++)
		*last = call_once();
	return NULL;
}

static void run_threads(int nthreads)
{
	pthread_t t[64];
	double last[64];
	int i;

	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, &last[i]);
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		printf("%.17g\n", last[i]);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int procs, threads, i, ok = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: noisy pos|neg|zero|exact|slow KEY CALLS [PROCS THREADS]\n");
		return 2;
	}
	func = argv[1];
	key = atoi(argv[2]);
	calls = atoi(argv[3]);
	procs = argc > 4 ? atoi(argv[4]) : 1;
	threads = argc > 5 ? atoi(argv[5]) : 1;
	if (threads > 64)
		threads = 64;
	for (i = 0; i < procs - 1; i++)
		if (fork() == 0) {
			run_threads(threads);
			exit(0);
		}
	run_threads(threads);
	while (procs-- > 1) {
		int status;
		wait(&status);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	return ok ? 0 : 1;
}
