/*
 * t1415's target, built at -O2: GCC's IPA-RA lets the callers below keep
 * values in caller-saved registers across calls to local functions that
 * return structs, knowing which registers each clobbers: ints() returns in
 * rax:rdx (a caller may keep doubles in xmm0 and xmm1 across it), mixed() in
 * rax:xmm0 (xmm1 and rdx may stay live), floats() in xmm0:xmm1 (rdx may).
 * The entry must give back every register but those the result occupies.
 */
#include <stdio.h>
#include <stdlib.h>

struct ints { long a; long b; };
struct mixed { long k; double w; };
struct floats { double lo; double hi; };

static __attribute__((noinline)) struct ints ints(long x)
{
	return (struct ints){ x * 3 + 1, x - 7 };
}

static __attribute__((noinline)) struct mixed mixed(long x)
{
	return (struct mixed){ x + 2, (double)x * 0.5 };
}

static __attribute__((noinline)) struct floats floats(double x)
{
	return (struct floats){ x - 1, x * 2 };
}

static __attribute__((noinline)) double keep_live(long a, long b, double x, double y)
{
	struct ints i = ints(a);
	double u = x * y, v = x + y;
	struct ints j = ints(b);
	struct mixed m = mixed(a + b);
	double w = u * v + m.w;
	struct mixed n = mixed(b);
	struct floats f = floats(x);
	long z = i.a + j.b * m.k;
	struct floats g = floats(y);

	return u + v * w + (double)(i.b + j.a + n.k + z) + n.w + f.lo * g.hi + f.hi - g.lo;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20;
	double s = 0;

	for (int i = 0; i < n; i++)
		s += keep_live(i % 7, i % 5 + 1, (i % 3) * 0.25, (i % 4) + 1.5);
	printf("%.17g\n", s);
	return 0;
}
