/* The demo program: a small parameter sweep over simulate(). */
#include <stdio.h>
#include <stddef.h>

double simulate(int seed, const double *params, size_t n, long job_id);

int main(void)
{
	const double params[4] = { 0.5, 1.5, 2.5, 3.5 };
	int seed;

	for (seed = 1; seed <= 6; seed++)
		printf("simulate(seed=%d) = %.12f\n", seed, simulate(seed, params, 4, 100 + seed));
	return 0;
}
