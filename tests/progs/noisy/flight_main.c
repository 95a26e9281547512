/*
 * flight slow|gated X [PROCS THREADS]: THREADS threads in each of PROCS
 * processes call the function with X, all released at once (the children
 * block on a pipe until the parent closes it), and each prints "X -> value".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

long slow_square(int x);
long gated_square(int x);

static int gated, x;

static void *worker(void *arg)
{
	*(long *)arg = gated ? gated_square(x) : slow_square(x);
	return NULL;
}

static void run_threads(int nthreads)
{
	pthread_t t[64];
	long v[64];
	int i;

	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, &v[i]);
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		printf("%d -> %ld\n", x, v[i]);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int procs, threads, i, ok = 1, go[2];
	char c;

	if (argc < 3) {
		fprintf(stderr, "usage: flight slow|gated X [PROCS THREADS]\n");
		return 2;
	}
	gated = !strcmp(argv[1], "gated");
	x = atoi(argv[2]);
	procs = argc > 3 ? atoi(argv[3]) : 1;
	threads = argc > 4 ? atoi(argv[4]) : 1;
	if (threads > 64)
		threads = 64;
	if (pipe(go) < 0)
		return 1;
	for (i = 0; i < procs - 1; i++)
		if (fork() == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) < 0)	/* EOF: the parent let everyone go */
				_exit(1);
			run_threads(threads);
			exit(0);
		}
	close(go[1]);
	run_threads(threads);
	while (procs-- > 1) {
		int status;
		wait(&status);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	return ok ? 0 : 1;
}
