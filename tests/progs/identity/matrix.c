/*
 * The identity matrix's program: one source, built by t0601 in variants, each
 * one edit away from the baseline (-DV_UNRELATED, V_CONST, V_STRING,
 * V_CALLEE, V_CALLEE2, V_IMPORT, V_TABLE_CALLEE, V_TABLE_STRING). Every edit keeps sizes and layout where it
 * can, so that raw function bytes stay identical where the identity must
 * change (and V_UNRELATED shifts every address below it, so raw bytes change
 * where the identity must not). simulate() is the memoized function.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../runs.h"

#ifdef V_UNRELATED
/* Defined first, so its code and its string come before everything else. */
__attribute__((noinline)) const char *unrelated(int x)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "an unrelated string, %d", x);
	return buf;
}
#endif

#ifdef V_CONST
#define SCALE 2.718281829
#else
#define SCALE 2.718281828
#endif
#ifdef V_STRING
#define BAD_N "simulate: BAD n %d\n"
#else
#define BAD_N "simulate: bad n %d\n"
#endif
#ifdef V_IMPORT
#define WAVE cos
#else
#define WAVE sin
#endif
#ifdef V_TABLE_STRING
#define LABEL_A "label A"
#else
#define LABEL_A "label a"
#endif

int simulate_calls;	/* writable: a purity warning, never the identity */

double helper(double x);
double deep(double x);
int even(int n);
int odd(int n);
double scale_a(double x);
double scale_b(double x);

/* Reached only through const tables: in a non-PIE executable they sit in
 * .rodata as absolute addresses with no relocation, in a PIE in
 * .data.rel.ro with one per entry. */
static double (*const scalers[])(double) = { scale_a, scale_b };
static const char *const labels[] = { LABEL_A, "label b" };

__attribute__((noinline)) double simulate(int n, double x)
{
	double acc = 0;

	simulate_calls++;
	test_ran("simulate");
	if (n < 0) {
		fprintf(stderr, BAD_N, n);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		switch (i % 7) {
		case 0: acc += helper(x + i); break;
		case 1: acc -= WAVE(x * i); break;
		case 2: acc *= 0.5; break;
		case 3: acc += even(i) ? 1 : 2; break;
		case 4: acc += x / (i + 1); break;
		case 5: acc += SCALE * x; break;
		default: acc -= scalers[i & 1](x) + labels[n & 1][6]; break;
		}
	}
	return acc;
}

/* Defined after simulate, so their edits do not move it. */
__attribute__((noinline)) double helper(double x)
{
#ifdef V_CALLEE
	return deep(x) * 5.0 + 1;
#else
	return deep(x) * 3.0 + 1;
#endif
}

__attribute__((noinline)) double deep(double x)
{
#ifdef V_CALLEE2
	return sqrt(fabs(x)) + 0.375;
#else
	return sqrt(fabs(x)) + 0.25;
#endif
}

__attribute__((noinline)) double scale_a(double x)
{
#ifdef V_TABLE_CALLEE
	return x * 0.375;
#else
	return x * 0.25;
#endif
}

__attribute__((noinline)) double scale_b(double x) { return x * 0.5; }

/* Mutual recursion: a cycle in the call graph. */
__attribute__((noinline)) int even(int n) { return n == 0 ? 1 : odd(n - 1); }
__attribute__((noinline)) int odd(int n) { return n == 0 ? 0 : even(n - 1); }

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	double x = argc > 2 ? atof(argv[2]) : 0.5;

	printf("%.17g\n", simulate(n, x));
#ifdef V_UNRELATED
	if (argc > 3)
		puts(unrelated(n));
#endif
	return 0;
}
