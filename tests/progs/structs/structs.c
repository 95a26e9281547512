/* The structs library (see structs.h). Each body reports its run. */
#include "structs.h"

#include "../runs.h"

struct range minmax(const double *x, size_t n)
{
	struct range r = { x[0], x[0] };

	test_ran("minmax");
	for (size_t i = 1; i < n; i++) {
		if (x[i] < r.lo)
			r.lo = x[i];
		if (x[i] > r.hi)
			r.hi = x[i];
	}
	return r;
}

struct stats3 summarize(const double *x, size_t n)
{
	struct stats3 s = { 0, 0, (long)n };

	test_ran("summarize");
	for (size_t i = 0; i < n; i++)
		s.mean += x[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		s.var += (x[i] - s.mean) * (x[i] - s.mean) / (double)n;
	return s;
}

struct pair best(const double *x, size_t n)
{
	struct pair p = { 0, x[0] };

	test_ran("best");
	for (size_t i = 1; i < n; i++)
		if (x[i] > p.w)
			p = (struct pair){ (long)i, x[i] };
	return p;
}

struct small halves(int a)
{
	test_ran("halves");
	return (struct small){ a / 2, (float)a / 3.0f };
}

double span(struct range r, double scale)
{
	test_ran("span");
	return (r.hi - r.lo) * scale;
}

double weigh_one(struct sample s)
{
	test_ran("weigh_one");
	return s.w * s.k + s.tag;
}

double weigh(const struct sample *s, size_t n)
{
	double t = 0;

	test_ran("weigh");
	for (size_t i = 0; i < n; i++)
		t += s[i].w * s[i].k - s[i].tag;
	return t;
}

void make_samples(int n, struct sample *out)
{
	test_ran("make_samples");
	for (int i = 0; i < n; i++) {
		out[i].tag = (char)('a' + i);
		out[i].w = 1.0 / (i + 3);
		out[i].k = (short)(i * 7 - 5);
	}
}

double _Complex cpow_n(double _Complex z, int n)
{
	double _Complex r = 1;

	test_ran("cpow_n");
	while (n-- > 0)
		r *= z;
	return r;
}

float _Complex cf_rot(float _Complex z)
{
	test_ran("cf_rot");
	return z * I + 0.5f;
}

long double _Complex cl_sq(long double _Complex z)
{
	test_ran("cl_sq");
	return z * z / 3.0L;
}

struct wide widen(struct wide w, double f)
{
	test_ran("widen");
	return (struct wide){ w.x * f + w.n, w.n + 1 };
}
