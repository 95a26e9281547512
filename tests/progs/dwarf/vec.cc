// The C++ case of t1303: a function that reads through a reference to a
// class, which a prototype can only declare `opaque`.
#include <vector>

#include "../runs.h"

double vsum(const std::vector<double> &v)
{
	double s = 0;

	test_ran("vsum");
	for (double x : v)
		s += x;
	return s;
}
