/*
 * spawn: the wall time of starting and waiting for a command, over N runs,
 * with the environment as given (bench/run varies LD_PRELOAD and MEMO_CONFIG
 * around it): the mean, and the median, which the few runs another
 * process's work delays (this VM's neighbours) do not move.
 *   spawn N CMD [ARG...]     prints "spawn_us <mean> us" and
 *                            "spawn_median_us <median> us"
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

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

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0, i, status;
	double *took, sum = 0, t;
	pid_t pid;

	if (n <= 0) {
		fprintf(stderr, "usage: spawn N CMD [ARG...]\n");
		return 2;
	}
	if (!(took = malloc(n * sizeof *took))) {
		fprintf(stderr, "spawn: no memory for %d times\n", n);
		return 1;
	}
	for (i = 0; i < n; i++) {
		t = now_us();
		if (posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0) {
			fprintf(stderr, "spawn: cannot start '%s'\n", argv[2]);
			return 1;
		}
		waitpid(pid, &status, 0);
		took[i] = now_us() - t;
		sum += took[i];
	}
	qsort(took, n, sizeof *took, by_value);
	printf("spawn_us %.1f us\n", sum / n);
	printf("spawn_median_us %.1f us\n", n % 2 ? took[n / 2] : (took[n / 2 - 1] + took[n / 2]) / 2);
	free(took);
	return 0;
}
