/*
 * t0503's target, built at -O2: GCC's IPA-RA lets the callers below keep
 * integer and floating values in caller-saved registers across calls to the
 * local function `leaf` (it knows which registers leaf clobbers), and lets
 * `unaligned` call `leaf` without realigning the stack. Entry patching must
 * preserve all of that. The test checks the disassembly for both.
 */
#include <stdio.h>
#include <stdlib.h>

/* Clobbers only %eax (and flags): IPA-RA sees callers may keep anything else. */
static __attribute__((noinline)) int leaf(int x)
{
	return x * 3 + 1;
}

/* Keeps many values live across the calls: with IPA-RA they stay in
 * caller-saved registers (%rcx, %rsi, %r8.., %xmm1..) instead of being
 * spilled or moved to callee-saved registers. */
static __attribute__((noinline)) double keep_live(int a, int b, int c, int d, double x, double y, double z)
{
	int r = leaf(a);
	r += leaf(b) * c + d;
	r ^= leaf(c) + a * b;
	return r + x * y + leaf(d) * z + x / y + a * z;
}

/* Calls leaf with no stack adjustment: %rsp is 8 bytes off the psABI's
 * alignment at leaf's entry. */
static __attribute__((noinline)) int unaligned(int x)
{
	return leaf(x) + 5;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20;
	double s = 0;
	long t = 0;

	for (int i = 0; i < n; i++) {
		s += keep_live(i, i + 1, i + 2, i + 3, i * 0.5, i + 1.25, i - 2.5);
		t += unaligned(i);
	}
	printf("%.17g %ld\n", s, t);
	return 0;
}
