#!/usr/bin/env bash
# Owns (issue 15): scalars passed by reference in C, as C code written in
# Fortran's convention takes them. `const int *n` is keyed by the value it
# points to (another value at the same address is another result), may be
# named in a length, and is checked against the debug info as `const int *`
# (a `const double *` declared for it is refused, naming both). A NULL one
# runs the call unmemoized, said once. `int *info` is `out int info[1]`.
# A function of scalars by reference alone has its hits served by the
# inline entry (l1_entry_hit), which must read the values, not the addresses.
# Outside Fortran's naming (no trailing '_'), `const double *x` that no length
# names may be a C array keyed by its first element: said at load, with
# file:line:col; `x[1]` says it is one value, and is silent.
source "$TOP/tests/lib.sh"

cat >prog.c <<'C'
#include <stdio.h>
#include "runs.h"

/* y = s * x over n values; s NULL means 1 (a Fortran OPTIONAL argument) */
__attribute__((noinline)) void scale_(const int *n, const double *x, const double *s,
				      double *y, int *info)
{
	test_ran("scale_");
	for (int i = 0; i < *n; i++)
		y[i] = (s ? *s : 1.0) * x[i];
	*info = *n;
}

/* scalars by reference only, a double back: the entry serves its hits */
__attribute__((noinline)) double poly_(const int *n, const double *x)
{
	double s = 0;
	test_ran("poly_");
	for (int i = 0; i <= *n; i++)
		s = s * *x + i;
	return s;
}

int main(void)
{
	double x[6] = { 1, 2, 3, 4, 5, 6 }, y[6], s = 0.5;
	int n, info;

	/* the same addresses, other values: other results */
	for (int rep = 0; rep < 3; rep++)
		for (n = 3; n <= 4; n++)
			for (s = 0.5; s < 2; s += 0.75)
				printf("poly n=%d x=%g: %.17g\n", n, s, poly_(&n, &s));

	for (int rep = 0; rep < 2; rep++)
		for (n = 2; n <= 6; n += 2) {
			for (int k = 0; k < 3; k++) {
				s = k == 2 ? 4.0 : 0.5;	/* the same address, another value */
				info = -1;
				scale_(&n, x, &s, y, &info);
				printf("n=%d s=%g info=%d y=%g %g\n", n, s, info, y[0], y[n - 1]);
			}
			scale_(&n, x, NULL, y, &info);
			printf("n=%d no s info=%d y=%g %g\n", n, info, y[0], y[n - 1]);
		}
	return 0;
}
C
cc -O2 -g -rdynamic -I"$TOP/tests/progs" -o prog prog.c || fail "building the program"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"
MEMO_DISABLE=1 ./prog >plain.out || fail "plain run"

conf_function scale_ 'void scale_(const int *n, const double x[n], const double *s, out double y[n], out int info[1])'
conf_function poly_ 'double poly_(const int *n, const double *x)'
for run in 1 2; do
	reset_runs
	under_memo ./prog >memo$run.out 2>memo$run.err || { cat memo$run.err; fail "run $run"; }
	same plain.out memo$run.out "run $run"
	[ $run = 1 ] && expect_eq "$(runs poly_)" 4 "run 1: poly_ computed once per (n, x)"
	expect_eq "$(grep -c "'scale_': argument 's', passed by reference, is NULL; such calls are not memoized" memo$run.err)" 1 \
		"run $run: the NULL reference said once"
done
# run 1: 3 sizes x (s = 0.5, s = 4) computed, and the 6 NULL calls; run 2: those only
expect_eq "$(runs scale_)" 6 "run 2: only the NULL calls run"
expect_eq "$(runs poly_)" 0 "run 2: poly_ served"
expect_eq "$(stat_of stats.jsonl scale_ hits)" 18 "run 2: every keyed call hits"
expect_eq "$(stat_of stats.jsonl scale_ bypassed)" 6 "run 2: the NULL calls bypassed"

# The debug info says `const int *n`: declared as a double by reference, refused.
rm -rf cache memo.d/poly_.conf
conf_function scale_ 'void scale_(const double *n, const double x[6], const double *s, out double y[6], out int info[1])'
reset_runs
under_memo ./prog >wrong.out 2>wrong.err || { cat wrong.err; fail "wrong prototype run"; }
same plain.out wrong.out "refused prototype"
grep -qF "[prototype-mismatch]: $T/memo.d/scale_.conf:2:25: 'n' is const int * in the debug info, declared const double *: 8-byte elements for 4-byte ones" wrong.err ||
	{ cat wrong.err; fail "the wrong by-reference type is not named"; }
expect_eq "$(runs scale_)" 24 "refused: every call runs"

note "a C name: 'const double *x' that no length names is said at load"
rm -rf memo.d
conf_function mean 'double mean(const double *x, size_t n)'
under_memo /bin/true 2>c.err || fail "true under libmemo"
grep -qF "$T/memo.d/mean.conf:2:25: 'x' is taken as one value passed by reference" c.err ||
	{ cat c.err; fail "an ambiguous 'const double *x' is not said"; }
conf_function mean 'double mean(const double x[1], size_t n)'
under_memo /bin/true 2>one.err || fail "true under libmemo"
said one.err && { cat one.err; fail "x[1] is not silent"; }
conf_function mean 'double mean(const double x[n], const int *n)'
under_memo /bin/true 2>c2.err || fail "true under libmemo"
said c2.err && { cat c2.err; fail "'n' said, though a length names it"; }
exit 0
