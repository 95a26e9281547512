/* f, memoized, calls helper from libprov.so (tests/t0605). */
#include <stdio.h>
#include <stdlib.h>

#include "../runs.h"

int helper(int x);

__attribute__((noinline)) int f(int x)
{
	test_ran("f");
	return helper(x);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;

	for (int i = 1; i <= n; i++)
		printf("%d\n", f(i));
	return 0;
}
