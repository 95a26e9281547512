/*
 * blake2b_one: see blake2b_one.h. The state's sixteen words as four rows of
 * four in 256-bit registers (a, b, c, d), a round's column step and, the
 * rows turned, its diagonal step done four G at once. A round's message
 * words are picked from the block's two 512-bit halves by one permute per
 * step (libb2 and a plain AVX2 build gather them word by word, the port
 * every shuffle needs: no faster than libb2 here), and the rotations are
 * AVX-512's (one instruction each). Compiled for AVX-512 by function
 * attribute, called only where the CPU has it.
 */
#include "store/blake2b_one.h"

#include <immintrin.h>
#include <stdbool.h>
#include <string.h>
#include <sys/platform/x86.h>

#include "store/blake2b_spec.h"
#include "base/b2.h"

#define AVX512 __attribute__((target("avx2,avx512f,avx512vl")))

#define G(a, b, c, d, x, y) do {                                                            \
		a = _mm256_add_epi64(_mm256_add_epi64(a, x), b);                              \
		d = _mm256_ror_epi64(_mm256_xor_si256(d, a), 32);                              \
		c = _mm256_add_epi64(c, d);                                                    \
		b = _mm256_ror_epi64(_mm256_xor_si256(b, c), 24);                              \
		a = _mm256_add_epi64(_mm256_add_epi64(a, y), b);                              \
		d = _mm256_ror_epi64(_mm256_xor_si256(d, a), 16);                              \
		c = _mm256_add_epi64(c, d);                                                    \
		b = _mm256_ror_epi64(_mm256_xor_si256(b, c), 63);                              \
	} while (0)

/* A step's message words: x (the first word of each G) in the low half,
 * y in the high half, for G i taking words s[2i] and s[2i + 1]. */
AVX512 static inline __m512i words(__m512i lo, __m512i hi, const uint8_t s[8])
{
	return _mm512_permutex2var_epi64(lo, _mm512_set_epi64(s[7], s[5], s[3], s[1], s[6], s[4],
							       s[2], s[0]), hi);
}

AVX512 static void compress(uint64_t h[8], const uint8_t block[128], uint64_t t0, uint64_t t1,
			    uint64_t f0, uint64_t f1)
{
	const __m512i lo = _mm512_loadu_si512(block), hi = _mm512_loadu_si512(block + 64);
	const __m256i a0 = _mm256_loadu_si256((const __m256i *)h);
	const __m256i b0 = _mm256_loadu_si256((const __m256i *)(h + 4));
	__m256i a = a0, b = b0, c = _mm256_loadu_si256((const __m256i *)B2_IV);
	__m256i d = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(B2_IV + 4)),
				     _mm256_set_epi64x((long long)f1, (long long)f0, (long long)t1,
						       (long long)t0));

	for (int r = 0; r < 12; r++) {
		__m512i col = words(lo, hi, B2_SIGMA[r]), diag = words(lo, hi, B2_SIGMA[r] + 8);

		G(a, b, c, d, _mm512_castsi512_si256(col), _mm512_extracti64x4_epi64(col, 1));
		/* rows turned: G i now takes words i, 5+i, 10+i, 15+i (mod 4 per row) */
		b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
		c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
		d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
		G(a, b, c, d, _mm512_castsi512_si256(diag), _mm512_extracti64x4_epi64(diag, 1));
		b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
		c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
		d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
	}
	_mm256_storeu_si256((__m256i *)h, _mm256_xor_si256(a0, _mm256_xor_si256(a, c)));
	_mm256_storeu_si256((__m256i *)(h + 4), _mm256_xor_si256(b0, _mm256_xor_si256(b, d)));
}

/* What libb2's blake2b_final does with its state: a pending block beyond
 * the last compressed first, then the last one, zero-padded and flagged. */
static void finish(const blake2b_state *S, uint8_t *out, size_t outlen)
{
	uint64_t h[8], t0 = S->t[0], t1 = S->t[1];
	const uint8_t *p = S->buf;
	size_t n = S->buflen;
	uint8_t last[BLAKE2B_BLOCKBYTES];

	memcpy(h, S->h, sizeof h);
	if (n > BLAKE2B_BLOCKBYTES) {
		t0 += BLAKE2B_BLOCKBYTES;
		t1 += t0 < BLAKE2B_BLOCKBYTES;
		compress(h, p, t0, t1, 0, 0);
		p += BLAKE2B_BLOCKBYTES;
		n -= BLAKE2B_BLOCKBYTES;
	}
	t0 += n;
	t1 += t0 < n;
	memcpy(last, p, n);
	memset(last + n, 0, sizeof last - n);
	compress(h, last, t0, t1, ~0ULL, S->last_node ? ~0ULL : 0);
	memcpy(out, h, outlen);
}

/* Whether finish gives libb2's digests: on sample states, keyed or not,
 * with up to two blocks pending. Another libb2's state may differ. Run at
 * a process's first hash, so the lengths are few: each side of every
 * block boundary (t0317 checks every length). */
static bool finish_agrees(void)
{
	static const uint8_t key[16] = "libmemo sample!";
	static const uint16_t lengths[] = { 0, 1, 127, 128, 129, 255, 256, 257, 300, 384 };
	uint8_t msg[3 * BLAKE2B_BLOCKBYTES], a[BLAKE2B_OUTBYTES], b[BLAKE2B_OUTBYTES];

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 29 + 7);
	for (int keyed = 0; keyed < 2; keyed++)
		for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
			size_t n = lengths[i];
			blake2b_state s;

			if ((keyed ? b2_init_key(&s, 32, key, sizeof key) : b2_init(&s, 32)) < 0 ||
			    b2_update(&s, msg, n) < 0 || s.buflen > 2 * BLAKE2B_BLOCKBYTES)
				return false;
			finish(&s, a, 32);
			b2_final(&s, b, 32);
			if (memcmp(a, b, 32))
				return false;
		}
	return true;
}

/* 0 until the first call decides: 1 finish, -1 libb2. Decided the same
 * by every thread that races to it. */
static int use_finish;

bool blake2b_one_fast(void)
{
	int use = __atomic_load_n(&use_finish, __ATOMIC_RELAXED);

	if (!use) {
		use = b2_cpu_active(x86_cpu_AVX512F) && b2_cpu_active(x86_cpu_AVX512VL) && finish_agrees() ?
		      1 : -1;
		__atomic_store_n(&use_finish, use, __ATOMIC_RELAXED);
	}
	return use > 0;
}

void blake2b_one_final(blake2b_state *S, uint8_t *out, size_t outlen)
{
	if (blake2b_one_fast() && outlen == S->outlen && outlen <= BLAKE2B_OUTBYTES &&
	    S->buflen <= 2 * BLAKE2B_BLOCKBYTES)
		finish(S, out, outlen);
	else
		b2_final(S, out, outlen);
}
