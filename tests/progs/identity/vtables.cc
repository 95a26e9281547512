/*
 * The identity matrix's C++ program: shade() reaches its callees only through
 * vtables. Built by t0601 and t0603 in variants, each one edit away from the
 * baseline: -DV_UNRELATED (a function and a string added before everything),
 * V_VIRTUAL (a constant in Disc::area, reached through a const table of
 * pointers to const objects), V_MADE (a constant in Ring::area, of an object
 * a factory constructs). Each edit keeps every size, so raw bytes of shade
 * stay identical where its identity must change. shade() is the memoized
 * function; it reads no global state, so it gets no purity warning.
 */
#include <cstdio>
#include <cstdlib>

#include "../runs.h"

#ifdef V_UNRELATED
__attribute__((noinline)) const char *unrelated(int x)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "an unrelated string, %d", x);
	return buf;
}
#endif

#ifdef V_VIRTUAL
#define DISC 3.25
#else
#define DISC 3.5
#endif
#ifdef V_MADE
#define RING 0.625
#else
#define RING 0.75
#endif

/* Not abstract: a pure virtual slot holds __cxa_pure_virtual, an import, and
 * libmemo names the provider of an import whose address a non-PIE executable
 * takes as that executable (its canonical PLT entry), so any rebuild would
 * change shade's identity there, an unrelated edit too. */
struct Shape {
	virtual double area(double x) const { return x; }
	virtual ~Shape() {}
};
struct Square : Shape { double area(double x) const override; };
struct Disc : Shape { double area(double x) const override; };
struct Ring : Shape { double area(double x) const override; };

/* Const objects with a destructor: GCC puts them in .data, not .rodata. */
static const Square square;
static const Disc disc;
static const Shape *const shapes[] = { &square, &disc };

__attribute__((noinline)) Shape *make_ring() { return new Ring; }

extern "C" __attribute__((noinline)) double shade(int n, double x)
{
	Shape *ring = make_ring();
	double acc = 0;

	test_ran("shade");
	for (int i = 0; i < n; i++)
		acc += shapes[i & 1]->area(x + i) - ring->area(x);
	delete ring;
	return acc;
}

/* Defined after shade, so their edits do not move it. */
__attribute__((noinline)) double Square::area(double x) const { return x * x; }
__attribute__((noinline)) double Disc::area(double x) const { return x * x * DISC; }
__attribute__((noinline)) double Ring::area(double x) const { return x * RING; }

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	double x = argc > 2 ? atof(argv[2]) : 0.5;

	printf("%.17g\n", shade(n, x));
#ifdef V_UNRELATED
	if (argc > 3)
		puts(unrelated(n));
#endif
	return 0;
}
