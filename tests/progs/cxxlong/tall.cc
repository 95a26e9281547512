// tall.h's functions: each reports each run of its body (runs.h).
#include "tall.h"
#include "../runs.h"

namespace tall { namespace TALL_PATH {

double energy(const wide &, const double *x, unsigned long n)
{
	double e = 0;

	test_ran("tall_energy");
	for (unsigned long i = 0; i < n; i++)
		e += x[i] * x[i] / (1.0 + i);
	return e;
}

double sum(const double *x, unsigned long n)
{
	double s = 0;

	test_ran("tall_sum");
	for (unsigned long i = 0; i < n; i++)
		s += x[i];
	return s;
}

}}
