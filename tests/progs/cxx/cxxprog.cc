// Calls each function of libmodel.so with inputs that depend on argv[1]
// (a seed), twice each, and prints every result exactly (t1420-t1422).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model.h"

namespace deep = model::very_long_namespace_for_memoization_tests::another_deeply_nested_namespace_level;

int main(int argc, char **argv)
{
	int seed = argc > 1 ? atoi(argv[1]) : 1;
	std::vector<double> v;
	std::vector<long> l;
	std::string label = "label-" + std::to_string(seed) + std::string(seed % 3 * 20, 'x');

	for (int i = 0; i < 5 + seed; i++) {
		v.push_back(seed * 0.5 + i);
		l.push_back(seed * 7 + i);
	}
	for (int round = 0; round < 2; round++) {
		printf("spectral %.17g\n", model::spectral_energy_raw(v.data(), v.size()));
		printf("energy(ptr) %.17g\n", model::energy(v.data(), v.size()));
		printf("energy(vec) %.17g\n", model::energy(v));
		printf("weigh %.17g\n", model::weigh(label, 0.25 * seed));
		printf("count_long %ld\n", model::count_long(l, label));
		printf("describe %s\n", model::describe(seed).c_str());
		printf("series %.17g\n", model::series(seed + 3).back());
		printf("cell %.17g\n", model::Grid(seed).cell(seed + 2));
		printf("accumulate %.17g\n", deep::accumulate_weighted_samples_over_grid(v.data(), v.size(), 3));
	}
	// an empty vector and string, and one whose contents change in place
	std::vector<double> empty;
	printf("energy(empty) %.17g\n", model::energy(empty));
	printf("weigh(empty) %.17g\n", model::weigh(std::string(), 1.0));
	v[0] += 1;
	printf("energy(changed) %.17g\n", model::energy(v));
	return 0;
}
