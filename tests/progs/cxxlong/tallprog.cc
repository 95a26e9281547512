// Calls tall.h's functions with inputs that depend on argv[1] (a seed),
// twice, and prints each result exactly (t1425-t1426).
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tall.h"

int main(int argc, char **argv)
{
	int seed = argc > 1 ? atoi(argv[1]) : 1;
	std::vector<double> x;

	for (int i = 0; i < 4 + seed; i++)
		x.push_back(seed * 0.25 + i);
	for (int round = 0; round < 2; round++) {
		printf("energy %.17g\n", tall::TALL_PATH::energy(tall::wide(), x.data(), x.size()));
		printf("sum %.17g\n", tall::TALL_PATH::sum(x.data(), x.size()));
	}
	return 0;
}
