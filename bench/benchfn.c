/* Functions the benchmarks memoize: cheap on purpose, so what is measured is
 * libmemo's own cost. */
#include <stddef.h>

double bf_scalar(int a, double b)
{
	return a * 0.5 + b;
}

double bf_buf(const unsigned char *buf, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i += 64)
		s += buf[i];
	return s;
}
