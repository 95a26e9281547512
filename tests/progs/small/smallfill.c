/* smallfill FIRST K: prints sw_fill(seed) for seeds FIRST+1..FIRST+K exactly
 * (hex floats), so runs with and without libmemo compare byte for byte. */
#include <stdio.h>
#include <stdlib.h>

void sw_fill(int seed, double v[8]);

int main(int argc, char **argv)
{
	int first = argc > 1 ? atoi(argv[1]) : 0, k = argc > 2 ? atoi(argv[2]) : 1;
	double v[8];

	for (int seed = first + 1; seed <= first + k; seed++) {
		sw_fill(seed, v);
		printf("%d", seed);
		for (int i = 0; i < 8; i++)
			printf(" %a", v[i]);
		printf("\n");
	}
	return 0;
}
