// See model.h. Each body reports that it ran (../runs.h).
#include "model.h"

#include <cmath>

#include "../runs.h"

namespace model {

double spectral_energy_raw(const double *x, unsigned long n)
{
	double s = 0;

	test_ran("spectral_energy_raw");
	for (unsigned long i = 0; i < n; i++)
		s += x[i] * x[i] * (double)(i + 1);
	return s;
}

double energy(const double *x, unsigned long n)
{
	double s = 0;

	test_ran("energy_ptr");
	for (unsigned long i = 0; i < n; i++)
		s += std::sqrt(std::fabs(x[i]));
	return s;
}

double energy(const std::vector<double> &v)
{
	double s = 0;

	test_ran("energy_vec");
	for (double x : v)
		s += x * x * x;
	return s;
}

double weigh(const std::string &label, double w)
{
	double s = 0;

	test_ran("weigh");
	for (char c : label)
		s = s * 1.5 + (unsigned char)c;
	return s * w;
}

long count_long(const std::vector<long> &v, const std::string &tag)
{
	long s = (long)tag.size();

	test_ran("count_long");
	for (long x : v)
		s = s * 31 + x;
	return s;
}

std::string describe(int k)
{
	test_ran("describe");
	return "item number " + std::to_string(k) + " of a list long enough to live on the heap";
}

std::vector<double> series(int n)
{
	std::vector<double> v;

	test_ran("series");
	for (int i = 0; i < n; i++)
		v.push_back(1.0 / (i + 1));
	return v;
}

double Grid::cell(int i) const
{
	test_ran("cell");
	return scale_ * i * i;
}

namespace very_long_namespace_for_memoization_tests {
namespace another_deeply_nested_namespace_level {
double accumulate_weighted_samples_over_grid(const double *x, unsigned long n, int power)
{
	double s = 0;

	test_ran("accumulate");
	for (unsigned long i = 0; i < n; i++)
		s += std::pow(x[i], power);
	return s;
}
}
}

}
