/*
 * t0507's program: an ordinary executable whose expensive function is
 * static, called from main. Nothing in it knows about libmemo.
 *   app N...   prints simulate(n) for each argument
 */
#include <stdio.h>
#include <stdlib.h>

#include "runs.h"

static __attribute__((noinline)) double simulate(int n, double x)
{
	double acc = 0;

	test_ran("simulate");
	for (int i = 1; i <= n * 1000; i++)
		acc += x / i - acc / (i + n);
	return acc;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("simulate(%s) = %.17g\n", argv[i], simulate(atoi(argv[i]), 0.75));
	return 0;
}
