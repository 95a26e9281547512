/*
 * The debug-info tests' library (t0111, t1303), built with -g: integrate()
 * has the signature the wrong prototypes of issue 13 get wrong; the others
 * take pointers the key does not follow: stream_sum() reads through a
 * struct, apply() calls through a function pointer, and tagged() only
 * passes its context on, reading nothing through it.
 */
#include <stddef.h>

#include "../runs.h"
#include "integrate.h"

double integrate(const double *coef, size_t n, double a, double b)
{
	double fa = 0, fb = 0;

	test_ran("integrate");
	for (size_t i = n; i-- > 0;) {	/* the antiderivative, by Horner */
		fa = (fa + coef[i] / (double)(i + 1)) * a;
		fb = (fb + coef[i] / (double)(i + 1)) * b;
	}
	return fb - fa;
}

double stream_sum(struct stream *s)
{
	double sum = 0;

	test_ran("stream_sum");
	for (size_t i = 0; i < s->n; i++)
		sum += s->data[i] * s->scale;
	return sum;
}

double apply(double (*f)(double), double x)
{
	test_ran("apply");
	return f(x) + 1;
}

/* The context goes on to the caller's own function, unread here. */
__attribute__((noinline)) static double keep(void *ctx, double x)
{
	return ctx ? x * 2 : x;
}

double tagged(void *ctx, double x)
{
	test_ran("tagged");
	return keep(ctx, x);
}
