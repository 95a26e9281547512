/*
 * gotprog-*: a program calling libgotlib from its main object, built once per
 * link mode (build.mk). Prints every result, so runs with and without libmemo
 * compare byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>

int got_add(int a, int b);
double got_scale(double x, int k);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, i;

	for (i = 0; i < n; i++)
		printf("got_add(%d, 7) = %d\n", i % 2, got_add(i % 2, 7));
	printf("got_scale(1.5, 3) = %.17g\n", got_scale(1.5, 3));
	return 0;
}
