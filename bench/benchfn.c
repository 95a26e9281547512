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

/* About 20 µs of work: the miss-overhead benchmark's function. */
double bf_spin(int a)
{
	volatile double x = a;
	int i;

	for (i = 0; i < 20000; i++)
		x = x * 1.0000001 + 1e-9;
	return x;
}
