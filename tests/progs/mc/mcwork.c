/* The memoized side of the memcached end-to-end tests (tests/t041*.sh): a
 * scalar function and one with a large out buffer (8 MiB goes through
 * chunks). Each body reports its run through tests/progs/runs.h. */
#include <stddef.h>
#include <stdint.h>

#include "../runs.h"

double mc_slow(int seed, long n)
{
	double acc = seed;
	long i;

	test_ran("mc_slow");
	for (i = 0; i < n; i++)
		acc = acc * 0.999999 + (double)((i ^ seed) & 7);
	return acc;
}

void mc_big(int seed, double *out, size_t n)
{
	uint64_t x = (uint64_t)seed * 0x9e3779b97f4a7c15ULL | 1;
	size_t i;

	test_ran("mc_big");
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (double)(x >> 11) / 9007199254740992.0;
	}
}
