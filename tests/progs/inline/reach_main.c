/*
 * t0503/t0505/t0506's program: reaches memoized functions every way — direct
 * calls and recursion inside the executable (fib, static), a static function
 * through a pointer taken at load time, an IFUNC, PLT or -fno-plt GOT calls
 * into libreach, dlopen + dlsym, libm's exp (errno) and sin (an IFUNC) — and
 * prints every result, so runs compare byte for byte.
 *   reach DIR   (DIR holds libreach2.so)
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bt.h"
#include "runs.h"

long inl_plt(long x);
long inl_ptr(long x);
long inl_add8(long a, long b, long c, long d, long e, long f, long g, long h);
double inl_sum10(double a, double b, double c, double d, double e, double f,
		 double g, double h, double i, double j);
float inl_half(float x);
char inl_chr(int i);
_Bool inl_odd(int i);
long double inl_ldmul(long double a, int k, long double b);

/* Naive on purpose (no accumulator loop): every recursive call is a call. */
static __attribute__((noinline, optimize("no-optimize-sibling-calls"))) long fib(long n)
{
	test_ran("fib");
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static __attribute__((noinline)) long local_twice(long x)
{
	test_ran("local_twice");
	bt_check("local_twice");
	return 2 * x + (x >> 3);
}

/* An IFUNC of the program: its resolver picks the static implementation. */
static long ifn_impl(long x)
{
	test_ran("ifn");
	return x * x * x - 2;
}
static long (*ifn_resolve(void))(long) { return ifn_impl; }
long ifn(long x) __attribute__((ifunc("ifn_resolve")));

/* Taken at load time, before any patching. */
long (*volatile fp_lib)(long) = inl_ptr;
long (*volatile fp_local)(long) = local_twice;
volatile double big = 1000, angle = 0.5;

int main(int argc, char **argv)
{
	char path[4096];
	void *h;
	long (*late)(long);
	double e;

	printf("fib(20)=%ld\n", fib(20));
	for (long i = 0; i < 3; i++)
		printf("plt=%ld ptr=%ld local=%ld ifn=%ld\n", inl_plt(i), fp_lib(i), fp_local(i), ifn(i));
	printf("add8=%ld\n", inl_add8(1, -2, 3, -4, 5, -6, 7, -8));
	printf("sum10=%.17g\n", inl_sum10(1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5));
	printf("half=%.9g chr=%c odd=%d/%d\n", inl_half(3.0f), inl_chr(27), inl_odd(3), inl_odd(4));
	printf("ldmul=%.21Lg\n", inl_ldmul(1.0L / 3, 4, 0.7L));
	errno = 0;
	e = exp(big);
	printf("exp(1000)=%g erange=%d\n", e, errno == ERANGE);
	printf("sin(0.5)=%.17g\n", sin(angle));

	snprintf(path, sizeof path, "%s/libreach2.so", argc > 1 ? argv[1] : ".");
	h = dlopen(path, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "reach: %s\n", dlerror());
		return 1;
	}
	late = (long (*)(long))dlsym(h, "inl_late");
	printf("late=%ld %ld\n", late(4), late(5));
	return 0;
}
