/*
 * spawn: the average wall time of starting and waiting for a command, over
 * N runs, with the environment as given (bench/run varies LD_PRELOAD and
 * MEMO_CONFIG around it).
 *   spawn N CMD [ARG...]     prints "spawn_us <microseconds>"
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct timespec a, b;
	int n = argc > 2 ? atoi(argv[1]) : 0, i, status;
	pid_t pid;

	if (n <= 0) {
		fprintf(stderr, "usage: spawn N CMD [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0)
			return 1;
		waitpid(pid, &status, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("spawn_us %.1f us\n", ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / n);
	return 0;
}
