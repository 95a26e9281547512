/* fastloop N: calls the shapes library's fast_pure() on N distinct arguments
 * (each below its time threshold) and prints their sum. */
#include <stdio.h>
#include <stdlib.h>

#include "../shapes/shapes.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, i, sum = 0;

	for (i = 0; i < n; i++)
		sum += fast_pure((int)i);
	printf("%ld\n", sum);
	return 0;
}
