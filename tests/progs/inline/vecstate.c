/*
 * t0426's target: a caller that keeps every AVX-512 register (zmm0-31, the
 * opmasks k0-k7) and MXCSR set across calls to two memoized functions,
 * vecstate_call.S, and prints every register the call changed. The
 * functions touch no vector register but the result's (vleaf_d: the low half
 * of xmm0), so without libmemo each call changes nothing but that; entry
 * patching must keep it so, by whichever instruction saves the state.
 * Cases: registers patterned, MXCSR rounding toward zero; every register
 * zero (vzeroall: the SSE and AVX state initial), MXCSR initial and not.
 * Body runs are counted here, on stderr at the end: the side channel
 * (runs.h) calls libc, which may use any vector register.
 *   vecstate N: N calls of each function per case, arguments 0..N/2
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vstate {
	uint8_t zmm[32][64];
	uint64_t k[8];
	uint32_t mxcsr;
	uint32_t zero;
	uint64_t rax;
} __attribute__((aligned(64)));

void vecstate_call(const struct vstate *in, struct vstate *out, long x, int dbl);

static long ran_i, ran_d;

/* Integer code only (general-regs-only): no vector register touched. */
__attribute__((noinline, target("general-regs-only"))) long vleaf_i(long x)
{
	ran_i++;
	return x * 3 + 1;
}

__attribute__((noinline, target("general-regs-only"))) static long vleaf_bits(long x)
{
	ran_d++;
	return x * 5 + 2;
}

/* Writes only xmm0 (the result). */
__attribute__((noinline)) double vleaf_d(long x)
{
	double r;
	long bits = vleaf_bits(x);

	__asm__("movq %1, %0" : "=x"(r) : "r"(bits));
	return r;
}

static void pattern(struct vstate *s, unsigned seed, uint32_t mxcsr, int zero)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < sizeof s->zmm; i++)
		((uint8_t *)s->zmm)[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
	for (int i = 0; i < 8; i++)
		s->k[i] = 0x0123456789abcdefULL * (seed + i + 1);
	if (zero) {
		memset(s->zmm, 0, sizeof s->zmm);
		memset(s->k, 0, sizeof s->k);
	}
	s->mxcsr = mxcsr;
	s->zero = zero;
}

/* Every difference between what the caller set and what the call left,
 * but the result's registers: rax, or zmm0 (the call sets xmm0's low half;
 * the psABI leaves the rest of the register to the callee: the entry's l1
 * hit writes the result with a VEX move, which clears the upper bits). */
static int report(const char *what, long x, const struct vstate *in, const struct vstate *out, int dbl)
{
	int bad = 0;

	for (int r = 0; r < 32; r++)
		for (int b = 0; b < 64; b++)
			if (!(dbl && r == 0) && in->zmm[r][b] != out->zmm[r][b]) {
				printf("%s x=%ld: zmm%d byte %d changed %02x -> %02x\n", what, x, r, b,
				       in->zmm[r][b], out->zmm[r][b]);
				bad++;
				break;
			}
	for (int i = 0; i < 8; i++)
		if (in->k[i] != out->k[i]) {
			printf("%s x=%ld: k%d changed\n", what, x, i);
			bad++;
		}
	if (in->mxcsr != out->mxcsr) {
		printf("%s x=%ld: mxcsr changed %#x -> %#x\n", what, x, in->mxcsr, out->mxcsr);
		bad++;
	}
	return bad;
}

int main(int argc, char **argv)
{
	static struct vstate in, out;
	static const struct { const char *name; uint32_t mxcsr; int zero; } cases[] = {
		{ "patterned", 0x7f80, 0 },
		{ "zero", 0x1f80, 1 },
		{ "zero, rounding toward zero", 0x7f80, 1 },
	};
	int n = argc > 1 ? atoi(argv[1]) : 8, bad = 0;

	if (!__builtin_cpu_supports("avx512f")) {
		printf("no avx512f\n");
		return 0;
	}
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
		for (int dbl = 0; dbl < 2; dbl++)
			for (int i = 0; i < n; i++) {
				long x = i % (n / 2 + 1);
				long bits;

				pattern(&in, (unsigned)(c * 1000 + i), cases[c].mxcsr, cases[c].zero);
				vecstate_call(&in, &out, x, dbl);
				bad += report(cases[c].name, x, &in, &out, dbl);
				memcpy(&bits, out.zmm[0], sizeof bits);	/* vleaf_d's double, as bits */
				printf("%s %s(%ld) = %ld\n", cases[c].name, dbl ? "vleaf_d" : "vleaf_i", x,
				       dbl ? bits : (long)out.rax);
			}
	printf("%d registers changed\n", bad);
	fprintf(stderr, "body runs: vleaf_i %ld vleaf_d %ld\n", ran_i, ran_d);
	return bad != 0;
}
