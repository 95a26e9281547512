#!/usr/bin/env bash
# Owns: the entry's vector save slots (call/scratch.h) across coroutines.
# Coroutine A's memoized f switches to B inside its body; B sets its own
# rounding mode (MXCSR) and calls memoized g, whose body switches back to A.
# f returns while g is still in progress on B's stack: giving f's slot back
# must not give back g's, above it, or A's next memoized calls (h, then m,
# which switches to B inside its body) would save their state over g's, and
# g's return would restore A's rounding mode into B: B's 1/10 would round to
# nearest instead of down. Then a longjmp out of a memoized body, many times:
# the slots it leaves stay taken, and the calls go on, exact, on the stack
# once the thread's slots are all taken. Output byte for byte as without
# libmemo, mechanism = inline and got, with an empty cache each run (f and g
# switch coroutines in their bodies: a hit would not).
source "$TOP/tests/lib.sh"

cat >prog.c <<'C'
#include <fenv.h>
#include <setjmp.h>
#include <stdio.h>
#include <ucontext.h>

static ucontext_t ma, ca, cb;
static char sa[65536], sb[65536];
static volatile double num = 1.0, den = 10.0;
static jmp_buf out;

__attribute__((noinline)) long m(long x) { swapcontext(&ca, &cb); return x + 1; }	/* A: to B */
__attribute__((noinline)) long h(long x) { return m(x) + 1; }
__attribute__((noinline)) long f(long x) { swapcontext(&ca, &cb); return x + 2; }	/* A: to B */
__attribute__((noinline)) long g(long x) { swapcontext(&cb, &ca); return x + 3; }	/* B: to A */
__attribute__((noinline)) long jump(long x) { if (x >= 0) longjmp(out, 1); return x; }
__attribute__((noinline)) double third(double x) { return x / 3.0; }

static void run_a(void)
{
	printf("f %ld\n", f(1));
	printf("h %ld\n", h(2));
	swapcontext(&ca, &ma);
}

static void run_b(void)
{
	fesetround(FE_DOWNWARD);
	printf("g %ld\n", g(3));
	printf("b: 1/10 = %a\n", num / den);	/* B's rounding mode, if g kept it */
	swapcontext(&cb, &ca);
}

int main(void)
{
	volatile int i;

	getcontext(&ca);
	ca.uc_stack.ss_sp = sa;
	ca.uc_stack.ss_size = sizeof sa;
	ca.uc_link = &ma;
	makecontext(&ca, run_a, 0);
	getcontext(&cb);
	cb.uc_stack.ss_sp = sb;
	cb.uc_stack.ss_size = sizeof sb;
	cb.uc_link = &ma;
	makecontext(&cb, run_b, 0);
	swapcontext(&ma, &ca);
	printf("a: 1/10 = %a\n", num / den);
	for (i = 0; i < 400; i++)
		if (!setjmp(out))
			jump(i);
	for (i = 0; i < 300; i++)
		printf("third(%d) = %a\n", i, third(i));
	return 0;
}
C
cc -O2 -I"$TOP/tests/progs" -o prog prog.c -lm || fail "building the program"

MEMO_DISABLE=1 ./prog >plain.out || fail "plain run"
grep -q '^b: 1/10 = 0x1.9999999999999p-4$' plain.out || { cat plain.out; fail "B's rounding mode, without libmemo"; }
for mech in inline got; do
	rm -rf memo.d
	for fn in f g h m jump; do conf_function $fn "long $fn(long x)" mechanism=$mech; done
	conf_function third 'double third(double x)' mechanism=$mech
	for run in 1 2; do
		# an empty cache each time: the bodies (which switch) must run
		conf_cache dir="$T/cache-$mech-$run"
		under_memo ./prog >"$mech.$run.out" 2>"$mech.$run.err" || { cat "$mech.$run.err"; fail "$mech run $run"; }
		same plain.out "$mech.$run.out" "$mech, run $run"
	done
done
