// The C++ library of t1420-t1422: namespaced functions, an overload
// pair, a name whose mangled form is over 120 characters, std::vector and
// std::string inputs, a member function, and std::string and std::vector
// returns.
#ifndef MEMO_TEST_MODEL_H
#define MEMO_TEST_MODEL_H

#include <string>
#include <vector>

namespace model {

double spectral_energy_raw(const double *x, unsigned long n);
double energy(const double *x, unsigned long n);
double energy(const std::vector<double> &v);
double weigh(const std::string &label, double w);
long count_long(const std::vector<long> &v, const std::string &tag);
std::string describe(int k);
std::vector<double> series(int n);

class Grid {
public:
	explicit Grid(double scale) : scale_(scale) {}
	double cell(int i) const;
private:
	double scale_;
};

namespace very_long_namespace_for_memoization_tests {
namespace another_deeply_nested_namespace_level {
double accumulate_weighted_samples_over_grid(const double *x, unsigned long n, int power);
}
}

}

#endif
