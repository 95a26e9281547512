/* calls_kernel and calls_wrapped, memoized, call libifunc.so's IFUNC and an
 * export that calls its own IFUNC (tests/t0606); calls_own calls an IFUNC of
 * this program ($MEMO_TEST_OWN, as GCC's target_clones would select by the
 * CPU); exp_of calls libm's exp, whose implementation glibc selects by the
 * CPU's features. `ifunc N` prints the first two for 1..N, `own N` the third;
 * `exp FILE` prints exp_of(x) for each x (in %a) in FILE, and `scan N` prints
 * exp(x) for N values beside the x, unmemoized. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runs.h"
#include "variant.h"

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

static int own_a(int x) { return 7 * x + 1; }
static int own_b(int x) { return 7 * x + 2; }
static int (*own_resolve(void))(int) { return variant_b("MEMO_TEST_OWN") ? own_b : own_a; }
static int own_kernel(int x) __attribute__((ifunc("own_resolve")));

__attribute__((noinline)) int calls_own(int x)
{
	test_ran("calls_own");
	return own_kernel(x);
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
	} else if (argc == 3 && !strcmp(argv[1], "own")) {
		for (int i = 1; i <= atoi(argv[2]); i++)
			printf("%d\n", calls_own(i));
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
