/*
 * large: the time of one call of big(inout double a[n], size_t n), with n
 * = 9M (72 MB), as libmemo serves it or not (bench/run runs it unmemoized,
 * then memoized twice: a miss, a hit); and the input's bytes written to a
 * file, so that b2sum can be timed over the same bytes.
 *   large N [FILE]   prints "NAME X ms" and "NAME_cpu X ms" (the CPU time of
 *                    every thread, libmemo's workers too), NAME from
 *                    $LARGE_NAME (large_call)
 * The CPU time tells what a call costs whatever else runs on the machine:
 * on two busy cores a hit's two hashing passes cannot run side by side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) void big(double *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		a[i] = a[i] * 1.5 + (double)(i % 1000);
}

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 9000000;
	const char *name = getenv("LARGE_NAME");
	double *a = malloc(n * sizeof *a), t, cpu;

	if (!a)
		return 1;
	for (size_t i = 0; i < n; i++)
		a[i] = (double)(i % 7919) * 0.25;
	if (argc > 2) {
		FILE *f = fopen(argv[2], "w");

		if (!f || fwrite(a, sizeof *a, n, f) != n || fclose(f))
			return 1;
	}
	if (!name)
		name = "large_call";
	t = now(CLOCK_MONOTONIC);
	cpu = now(CLOCK_PROCESS_CPUTIME_ID);
	big(a, n);
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu;
	t = now(CLOCK_MONOTONIC) - t;
	printf("%s %.2f ms\n%s_cpu %.2f ms\n", name, t * 1e3, name, cpu * 1e3);
	return a[n / 2] == 0;	/* the result is used */
}
