/*
 * Stochastic functions for the repeated-evaluation tests: a fixed mean plus
 * noise from an unseeded generator (getrandom), so no two evaluations agree
 * and no run can be replayed. Each body reports its run (runs.h).
 */
#include <math.h>
#include <stdint.h>
#include <sys/random.h>
#include <unistd.h>

#include "../runs.h"

/* A standard normal deviate (Box-Muller over two fresh uniforms). */
static double gaussian(void)
{
	uint64_t r[2];
	double u1, u2;

	while (getrandom(r, sizeof r, 0) != sizeof r)
		;
	u1 = ((r[0] >> 11) + 1) / 9007199254740993.0;
	u2 = (r[1] >> 11) / 9007199254740992.0;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

double noisy_pos(int key)
{
	test_ran("noisy_pos");
	return 10.0 + key * 0 + gaussian();
}

double noisy_neg(int key)
{
	test_ran("noisy_neg");
	return -5.0 + key * 0 + 0.5 * gaussian();
}

double noisy_zero(int key)
{
	test_ran("noisy_zero");
	return key * 0 + gaussian();
}

int exact(int key)
{
	test_ran("exact");
	return key * 3;
}

/* Slow enough that concurrent callers really overlap. */
double noisy_slow(int key)
{
	test_ran("noisy_slow");
	usleep(2000);
	return key + gaussian();
}
