/*
 * big: a function of a large inout array, for tests of large values
 * (t0017-t0019) and bench/run's large rows.
 *   big N [CALLS]   fills a[N] (doubles), calls big(a, N) CALLS times (1),
 *                   each time on a fresh copy of the same input, and prints
 *                   a checksum of the result after each call
 * big's body reports its runs through runs.h (MEMO_TEST_RUNS).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runs.h"

__attribute__((noinline)) void big(double *a, size_t n)
{
	test_ran("big");
	for (size_t i = 0; i < n; i++)
		a[i] = a[i] * 1.5 + (double)(i % 1000);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000;
	int calls = argc > 2 ? atoi(argv[2]) : 1;
	double *a = malloc(n * sizeof *a);

	if (!a)
		return 1;
	for (int c = 0; c < calls; c++) {
		uint64_t sum = 0;

		for (size_t i = 0; i < n; i++)
			a[i] = (double)(i % 7919) * 0.25;
		big(a, n);
		for (size_t i = 0; i < n; i++) {
			uint64_t v;

			memcpy(&v, &a[i], sizeof v);
			sum = sum * 31 + v;
		}
		printf("%016llx\n", (unsigned long long)sum);
	}
	free(a);
	return 0;
}
