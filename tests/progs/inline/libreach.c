/*
 * The library side of t0503/t0505: functions reached through the PLT, the GOT
 * (-fno-plt), a function pointer, dlsym and ctypes, and the ABI cases (many
 * arguments, narrow and long double returns). Each body reports its run.
 */
#include "bt.h"
#include "runs.h"

/* Naive on purpose: no self-inlining or accumulator loop, so every recursive
 * call is a real call and a memoized run does n + 1 body runs. */
__attribute__((noinline, optimize("no-optimize-sibling-calls"))) long inl_lfib(long n)
{
	test_ran("inl_lfib");
	return n < 2 ? n : inl_lfib(n - 1) + inl_lfib(n - 2);
}

long inl_plt(long x) { test_ran("inl_plt"); return x * 7 - 1; }
long inl_ptr(long x) { test_ran("inl_ptr"); return x * 11 + 2; }

long inl_add8(long a, long b, long c, long d, long e, long f, long g, long h)
{
	test_ran("inl_add8");
	bt_check("inl_add8");
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

double inl_sum10(double a, double b, double c, double d, double e, double f,
		 double g, double h, double i, double j)
{
	test_ran("inl_sum10");
	return a + b / 2 + c / 3 + d / 4 + e / 5 + f / 6 + g / 7 + h / 8 + i / 9 + j / 10;
}

float inl_half(float x) { test_ran("inl_half"); return x / 2; }
char inl_chr(int i) { test_ran("inl_chr"); return (char)('a' + i % 26); }
_Bool inl_odd(int i) { test_ran("inl_odd"); return i & 1; }

long double inl_ldmul(long double a, int k, long double b)
{
	test_ran("inl_ldmul");
	bt_check("inl_ldmul");
	return a * b + k;
}
