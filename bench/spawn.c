/*
 * spawn: the wall time of starting and waiting for commands, each started
 * N times, alternated start by start (the one that goes first rotating),
 * so that every command sees the same machine: this VM's speed drifts over
 * seconds, and rounds of one command after another put that drift into
 * the ratios bench/run takes between them (as calls.c's interleave does
 * for hits).
 *   spawn N -- NAME [VAR=VALUE...] CMD [ARG...] [-- NAME ...]
 * Each NAME's command runs with the VAR=VALUE given added to the
 * environment. Prints, for each, "NAME_median <median> us", which the few
 * starts another process's work delays (this VM's neighbours) do not move,
 * and "NAME <mean> us".
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define MAX_CMDS 16

struct cmd {
	const char *name;
	char **env;	/* the VAR=VALUE given, then the environment */
	char **argv;	/* ends at the next "--" (overwritten with NULL) */
	double *took;	/* each start's time, us */
};

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The commands of argv[at..], each after a "--"; returns how many, or -1. */
static int parse(int argc, char **argv, int at, struct cmd *c, int n)
{
	int nc = 0, nenv = 0, i, k;

	while (environ[nenv])
		nenv++;
	while (at < argc) {
		if (strcmp(argv[at], "--") || at + 2 >= argc || nc == MAX_CMDS)
			return -1;
		argv[at++] = NULL;	/* ends the command before */
		c[nc].name = argv[at++];
		c[nc].env = calloc(argc + nenv + 1, sizeof *c[nc].env);
		c[nc].took = malloc(n * sizeof *c[nc].took);
		if (!c[nc].env || !c[nc].took)
			return -1;
		for (k = 0; at < argc && strchr(argv[at], '=') && argv[at][0] != '/'; at++)
			c[nc].env[k++] = argv[at];
		for (i = 0; i < nenv; i++)
			c[nc].env[k++] = environ[i];
		if (at >= argc || !strcmp(argv[at], "--"))
			return -1;
		c[nc].argv = argv + at;
		while (at < argc && strcmp(argv[at], "--"))
			at++;
		nc++;
	}
	return nc;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0, nc, i, j, status;
	struct cmd c[MAX_CMDS];
	double t, sum;
	pid_t pid;

	if (n <= 0 || (nc = parse(argc, argv, 2, c, n)) <= 0) {
		fprintf(stderr, "usage: spawn N -- NAME [VAR=VALUE...] CMD [ARG...] [-- NAME ...]\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < nc; j++) {
			struct cmd *x = &c[(i + j) % nc];

			t = now_us();
			if (posix_spawnp(&pid, x->argv[0], NULL, NULL, x->argv, x->env) != 0) {
				fprintf(stderr, "spawn: cannot start '%s'\n", x->argv[0]);
				return 1;
			}
			waitpid(pid, &status, 0);
			x->took[i] = now_us() - t;
		}
	for (j = 0; j < nc; j++) {
		for (sum = 0, i = 0; i < n; i++)
			sum += c[j].took[i];
		qsort(c[j].took, n, sizeof *c[j].took, by_value);
		printf("%s %.1f us\n", c[j].name, sum / n);
		printf("%s_median %.1f us\n", c[j].name,
		       n % 2 ? c[j].took[n / 2] : (c[j].took[n / 2 - 1] + c[j].took[n / 2]) / 2);
	}
	return 0;
}
