/*
 * dwarfprog A B C0 C1...: prints, twice each (the second call is a hit when
 * memoized), integrate(C, n, A, B), stream_sum over C scaled by A,
 * apply(square or cube: B > 0 picks the square, A), tagged(ctx, A).
 */
#include <stdio.h>
#include <stdlib.h>

#include "integrate.h"

static double square(double x) { return x * x; }
static double cube(double x) { return x * x * x; }

int main(int argc, char **argv)
{
	double coef[32], a, b;
	size_t n = 0;
	int ctx = 1;

	if (argc < 3)
		return 2;
	a = atof(argv[1]);
	b = atof(argv[2]);
	for (int i = 3; i < argc && n < 32; i++)
		coef[n++] = atof(argv[i]);
	struct stream s = { coef, n, a };
	for (int r = 0; r < 2; r++) {
		printf("integrate %.17g\n", integrate(coef, n, a, b));
		printf("stream_sum %.17g\n", stream_sum(&s));
		printf("apply %.17g\n", apply(b > 0 ? square : cube, a));
		printf("tagged %.17g\n", tagged(&ctx, a));
	}
	return 0;
}
