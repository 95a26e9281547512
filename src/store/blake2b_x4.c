/*
 * blake2b_x4: see blake2b_x4.h. BLAKE2b as RFC 7693 defines it, one
 * message per 64-bit lane of AVX2 registers: the state's word i of the
 * four messages is v[i]'s four lanes, so each instruction advances all
 * four. Message blocks are loaded and transposed 4x4 (one 32-byte row per
 * message, one register per word). Compiled for AVX2 by function
 * attribute, called only where the CPU has it (blake2b_x4_usable).
 */
#include "store/blake2b_x4.h"

#include <immintrin.h>
#include <sys/platform/x86.h>

#include "store/blake2b_spec.h"

#define AVX2 __attribute__((target("avx2")))

/* Rotations right of each 64-bit lane: by whole bytes as byte shuffles. */
AVX2 static inline __m256i rot32(__m256i x)
{
	return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
}

AVX2 static inline __m256i rot24(__m256i x)
{
	const __m256i m = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10,
					   3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
	return _mm256_shuffle_epi8(x, m);
}

AVX2 static inline __m256i rot16(__m256i x)
{
	const __m256i m = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9,
					   2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
	return _mm256_shuffle_epi8(x, m);
}

AVX2 static inline __m256i rot63(__m256i x)
{
	return _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

#define ADD(a, b) _mm256_add_epi64(a, b)
#define XOR(a, b) _mm256_xor_si256(a, b)
#define G(a, b, c, d, x, y) do {                                          \
		v[a] = ADD(ADD(v[a], v[b]), x); v[d] = rot32(XOR(v[d], v[a])); \
		v[c] = ADD(v[c], v[d]);         v[b] = rot24(XOR(v[b], v[c])); \
		v[a] = ADD(ADD(v[a], v[b]), y); v[d] = rot16(XOR(v[d], v[a])); \
		v[c] = ADD(v[c], v[d]);         v[b] = rot63(XOR(v[b], v[c])); \
	} while (0)

/* r[i]'s lane j = a_j's lane i: four rows of four words become columns. */
AVX2 static inline void transpose(__m256i a0, __m256i a1, __m256i a2, __m256i a3, __m256i r[4])
{
	__m256i t0 = _mm256_unpacklo_epi64(a0, a1), t1 = _mm256_unpackhi_epi64(a0, a1);
	__m256i t2 = _mm256_unpacklo_epi64(a2, a3), t3 = _mm256_unpackhi_epi64(a2, a3);

	r[0] = _mm256_permute2x128_si256(t0, t2, 0x20);
	r[1] = _mm256_permute2x128_si256(t1, t3, 0x20);
	r[2] = _mm256_permute2x128_si256(t0, t2, 0x31);
	r[3] = _mm256_permute2x128_si256(t1, t3, 0x31);
}

AVX2 void blake2b_x4(const uint8_t *const in[4], size_t len, uint8_t out[4][32])
{
	__m256i h[8], v[16], m[16], r[4];

	for (int i = 0; i < 8; i++)
		h[i] = _mm256_set1_epi64x((long long)B2_IV[i]);
	/* the parameter block: 32-byte digest, no key, fanout and depth 1 */
	h[0] = XOR(h[0], _mm256_set1_epi64x(0x01010020));
	for (size_t off = 0; off < len; off += 128) {
		for (int g = 0; g < 4; g++)
			transpose(_mm256_loadu_si256((const __m256i *)(in[0] + off + 32 * g)),
				  _mm256_loadu_si256((const __m256i *)(in[1] + off + 32 * g)),
				  _mm256_loadu_si256((const __m256i *)(in[2] + off + 32 * g)),
				  _mm256_loadu_si256((const __m256i *)(in[3] + off + 32 * g)), &m[4 * g]);
		for (int i = 0; i < 8; i++) {
			v[i] = h[i];
			v[i + 8] = _mm256_set1_epi64x((long long)B2_IV[i]);
		}
		/* the byte counter (under 2^64 here), and the last block's flag */
		v[12] = XOR(v[12], _mm256_set1_epi64x((long long)(off + 128)));
		if (off + 128 == len)
			v[14] = XOR(v[14], _mm256_set1_epi64x(-1));
		for (int rd = 0; rd < 12; rd++) {
			const uint8_t *s = B2_SIGMA[rd];

			G(0, 4, 8, 12, m[s[0]], m[s[1]]);
			G(1, 5, 9, 13, m[s[2]], m[s[3]]);
			G(2, 6, 10, 14, m[s[4]], m[s[5]]);
			G(3, 7, 11, 15, m[s[6]], m[s[7]]);
			G(0, 5, 10, 15, m[s[8]], m[s[9]]);
			G(1, 6, 11, 12, m[s[10]], m[s[11]]);
			G(2, 7, 8, 13, m[s[12]], m[s[13]]);
			G(3, 4, 9, 14, m[s[14]], m[s[15]]);
		}
		for (int i = 0; i < 8; i++)
			h[i] = XOR(h[i], XOR(v[i], v[i + 8]));
	}
	transpose(h[0], h[1], h[2], h[3], r);
	for (int j = 0; j < 4; j++)
		_mm256_storeu_si256((__m256i *)out[j], r[j]);
}

/* glibc's record of the CPU, read at its start: no CPUID here (each one a
 * VM exit, ~2 us, under a hypervisor), and no libgcc CPU-model constructor,
 * which __builtin_cpu_supports linked into the engine, run at every start. */
bool blake2b_x4_usable(void)
{
	return CPU_FEATURE_ACTIVE(AVX2);
}
