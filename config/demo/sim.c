/*
 * The demo's expensive function, in a shared library as issue 2's GOT
 * mechanism needs: a Monte Carlo estimate of a 4-dimensional integral with a
 * fixed-seed generator, so the same arguments always give the same result.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

static double uniform(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0;
}

double simulate(int seed, const double *params, size_t n, long job_id)
{
	uint64_t state = 0x9e3779b97f4a7c15ull ^ (uint64_t)seed;
	double acc = 0;
	long i;
	size_t k;

	(void)job_id;
	for (i = 0; i < 6000000; i++) {
		double v = 1;
		for (k = 0; k < n; k++)
			v *= cos(params[k] * uniform(&state));
		acc += v;
	}
	return acc / 6000000;
}
