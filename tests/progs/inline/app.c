/*
 * t0507's program: an ordinary executable whose expensive functions are
 * static, called from main. Nothing in it knows about libmemo. GCC at -O2
 * clones `scaled` (its constant argument propagated: scaled.constprop.0),
 * which then cannot take scaled's prototype.
 *   app N...   prints simulate(n) and scaled(n) for each argument
 */
#include <stdio.h>
#include <stdlib.h>

#include "runs.h"

volatile double app_x = 0.75;	/* read at run time: no constant to propagate */

static __attribute__((noinline)) double simulate(int n, double x)
{
	double acc = 0;

	test_ran("simulate");
	for (int i = 1; i <= n * 1000; i++)
		acc += x / i - acc / (i + n);
	return acc;
}

static __attribute__((noinline)) double scaled(int n, double k)
{
	test_ran("scaled");
	return n * k + 1;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int n = atoi(argv[i]);
		printf("simulate(%d) = %.17g scaled = %g\n", n, simulate(n, app_x), scaled(n, 2.5));
	}
	return 0;
}
