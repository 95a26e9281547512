#define _GNU_SOURCE
/* The shapes library (see shapes.h). Results depend only on the arguments,
 * with enough arithmetic that a wrong restore shows in the output. */
#include "shapes.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runs.h"

#define SCALAR(name, T, expr) T name(T x) { test_ran(#name); return (T)(expr); }
SCALAR(sc_i8, int8_t, -x / 2 - 1)
SCALAR(sc_u8, uint8_t, x * 3 + 1)
SCALAR(sc_i16, int16_t, -x * 3)
SCALAR(sc_u16, uint16_t, x * 7 + 5)
SCALAR(sc_i32, int32_t, -x * 11 - 3)
SCALAR(sc_u32, uint32_t, x * 13u + 0x80000000u)
SCALAR(sc_i64, int64_t, -x * 1000003 - 7)
SCALAR(sc_u64, uint64_t, x * 0x9e3779b97f4a7c15ull)
SCALAR(sc_f32, float, x * 1.5f - 0.25f)
SCALAR(sc_f64, double, x / 3.0 + 1e-300)
SCALAR(sc_f80, long double, x / 3.0L)
SCALAR(sc_bool, bool, !x)
SCALAR(sc_char, char, x + 1)
SCALAR(sc_size, size_t, x * 2 + 1)

short sc_short(short a, unsigned short b, signed char c, unsigned char d)
{
	test_ran("sc_short");
	return (short)(a - b + c * d);
}

double many(int a, int b, int c, int d, int e, int f, int g, int h,
	    double d0, double d1, double d2, double d3, double d4,
	    double d5, double d6, double d7, double d8, double d9)
{
	test_ran("many");
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h +
	       d0 + d1 / 2 + d2 / 3 + d3 / 4 + d4 / 5 + d5 / 6 + d6 / 7 + d7 / 8 + d8 / 9 + d9 / 10;
}

double dot(const double *x, const double *y, size_t n)
{
	double s = 0;
	size_t i;

	test_ran("dot");
	for (i = 0; i < n; i++)
		s += x[i] * y[i];
	return s;
}

double grid_sum(const float *g, int rows, int cols)
{
	double s = 0;
	int i;

	test_ran("grid_sum");
	for (i = 0; i < rows * cols; i++)
		s += g[i] * (i % cols + 1);
	return s;
}

void fill(int seed, double *buf, size_t n)
{
	size_t i;

	test_ran("fill");
	for (i = 0; i < n; i++)
		buf[i] = sin(seed + (double)i);
}

void scale(double *v, size_t n, double k)
{
	size_t i;

	test_ran("scale");
	for (i = 0; i < n; i++)
		v[i] = v[i] * k + 1;
}

size_t count_vowels(const char *s)
{
	size_t n = 0;

	test_ran("count_vowels");
	if (!s)
		return (size_t)-1;
	for (; *s; s++)
		n += strchr("aeiouAEIOU", *s) != NULL;
	return n;
}

double sum_or_nan(const double *x, size_t n)
{
	double s = 0;
	size_t i;

	test_ran("sum_or_nan");
	if (!x)
		return NAN;
	for (i = 0; i < n; i++)
		s += x[i];
	return s;
}

char *describe(int x)
{
	static char buf[64];

	test_ran("describe");
	if (x < 0)
		return NULL;
	snprintf(buf, sizeof buf, "%d is %s", x, x % 2 ? "odd" : "even");
	return buf;
}

char *describe_copy(int x)
{
	char *s;

	test_ran("describe_copy");
	if (asprintf(&s, "<%d squared is %d>", x, x * x) < 0)
		return NULL;
	return s;
}

/* Returns dst, as strcpy does; NULL when the result would not fit. */
char *join_into(char *dst, const char *a, const char *b)
{
	test_ran("join_into");
	if (strlen(a) + strlen(b) + 2 > 32)
		return NULL;
	memset(dst, 0, 32);
	snprintf(dst, 32, "%s+%s", a, b);
	return dst;
}

double with_job(int seed, long job_id)
{
	(void)job_id;
	test_ran("with_job");
	return seed * 0.5 + 0.125;
}

int fast(int x)
{
	test_ran("fast");
	return x + 1;
}

/* Leaves errno as log does: EDOM for negatives, ERANGE for zero. */
double log_of(double x)
{
	test_ran("log_of");
	errno = 0;
	return log(x);
}

/* Pure and cheap, with no side channel: nanoseconds per call. */
int fast_pure(int x)
{
	return x * 3 + 1;
}
