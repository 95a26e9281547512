/* The memoized side of tests/t0313: a cheap function whose results (eight
 * doubles) make entries of ~180 bytes, so that a few tens of thousands of
 * them fill a store of small entries bounded to 16 MiB. Each body reports
 * its run through tests/progs/runs.h. */
#include "../runs.h"

void sw_fill(int seed, double v[8])
{
	unsigned long long x = (unsigned long long)seed * 0x9e3779b97f4a7c15ULL | 1;

	test_ran("sw_fill");
	for (int i = 0; i < 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[i] = (double)(x >> 11) / 9007199254740992.0;
	}
}
