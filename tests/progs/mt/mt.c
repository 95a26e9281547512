/*
 * Threads and fork against the shapes library.
 *   mt threads N   N threads call memoized functions at once, each over the
 *                  same and different arguments; results printed in order
 *   mt fork        the parent calls, forks; the child calls and exits; the
 *                  parent waits and calls again; both print what they got
 *   mt threadfork N  mt threads N, then mt fork: the child of a process
 *                  whose threads counted (each its own stats shard)
 *   mt big         dot() over 2.4 MB vectors, then again with one element
 *                  changed (large arguments are hashed as a tree)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../shapes/shapes.h"

#define ROUNDS 200

struct work {
	int id;
	char out[ROUNDS * 96];
};

static void *worker(void *arg)
{
	struct work *w = arg;
	size_t n = 0;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		double x[4] = { r % 7, w->id % 3, 1.5, -2 }, buf[3];
		char *s;

		fill(r % 11, buf, 3);
		s = describe_copy(r % 13);
		n += snprintf(w->out + n, sizeof w->out - n, "%a %a %s %d\n",
			      dot(x, x, 4), buf[2], s ? s : "(null)", sc_i32(r % 17));
		free(s);
	}
	return NULL;
}

static int run_threads(int nthreads)
{
	struct work *w = calloc(nthreads, sizeof *w);
	pthread_t *t = calloc(nthreads, sizeof *t);
	int i;

	for (i = 0; i < nthreads; i++) {
		w[i].id = i;
		pthread_create(&t[i], NULL, worker, &w[i]);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		printf("thread %d\n%s", i, w[i].out);
	}
	free(w);
	free(t);
	return 0;
}

static void some_calls(const char *who, int base)
{
	double x[3] = { base, base + 1, base + 2 };

	printf("%s: dot %a vowels %zu\n", who, dot(x, x, 3), count_vowels("fork and exec"));
	fflush(stdout);
}

static int run_fork(void)
{
	pid_t pid;
	int status;

	some_calls("parent before", 1);
	pid = fork();
	if (pid == 0) {
		some_calls("child", 1);
		some_calls("child", 2);
		exit(0);
	}
	waitpid(pid, &status, 0);
	some_calls("parent after", 2);
	some_calls("parent after", 3);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int run_big(void)
{
	size_t n = 300000, i;
	double *x = malloc(n * sizeof *x);

	for (i = 0; i < n; i++)
		x[i] = (double)(i % 1000) / 7;
	printf("big dot %a\n", dot(x, x, n));
	x[n - 1] += 1;
	printf("big dot %a\n", dot(x, x, n));
	free(x);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "big"))
		return run_big();
	if (argc >= 3 && !strcmp(argv[1], "threads"))
		return run_threads(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "fork"))
		return run_fork();
	if (argc >= 3 && !strcmp(argv[1], "threadfork"))
		return run_threads(atoi(argv[2])) || run_fork();
	fprintf(stderr, "usage: mt threads N | mt fork | mt threadfork N | mt big\n");
	return 2;
}
