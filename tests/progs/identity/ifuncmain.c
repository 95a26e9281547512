/* calls_kernel and calls_wrapped, memoized, call libifunc.so's IFUNC and an
 * export that calls its own IFUNC (tests/t0606); exp_of calls libm's exp,
 * whose implementation glibc selects by the CPU's features. `ifunc N` prints
 * the first two for 1..N; `exp FILE` prints exp_of(x) for each x (in %a) in
 * FILE, and `scan N` prints exp(x) for N values beside the x, unmemoized. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runs.h"

int kernel(int x);
int wrapped(int x);

__attribute__((noinline)) int calls_kernel(int x)
{
	test_ran("calls_kernel");
	return kernel(x);
}

__attribute__((noinline)) int calls_wrapped(int x)
{
	test_ran("calls_wrapped");
	return wrapped(x);
}

__attribute__((noinline)) double exp_of(double x)
{
	test_ran("exp_of");
	return exp(x);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "ifunc")) {
		for (int i = 1; i <= atoi(argv[2]); i++)
			printf("%d %d\n", calls_kernel(i), calls_wrapped(i));
	} else if (argc == 3 && !strcmp(argv[1], "scan")) {
		for (int i = 0; i < atoi(argv[2]); i++) {
			double x = -20.0 + i * 0.0002;
			printf("%a %.17g\n", x, exp(x));
		}
	} else if (argc == 3 && !strcmp(argv[1], "exp")) {
		FILE *f = fopen(argv[2], "r");
		double x;
		if (!f)
			return 2;
		while (fscanf(f, "%la", &x) == 1)
			printf("%.17g\n", exp_of(x));
		fclose(f);
	} else {
		return 2;
	}
	return 0;
}
