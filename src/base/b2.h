/*
 * b2: libb2's BLAKE2b with its code picked from glibc's record of the CPU.
 * libb2 asks the CPU itself (CPUID, twice) at a process's first call; in a
 * VM each CPUID traps to the hypervisor (~7 us on this project's), and
 * glibc's loader asked already at start-up. Where glibc's record says AVX,
 * libb2's AVX code is called directly (what libb2 picks too, but on a CPU
 * with AMD's XOP, where it picks its XOP code: the digests are the same),
 * else libb2's own entry points. Calls libb2 and glibc only; any thread: the pick is made by a
 * constructor, before any call.
 */
#ifndef MEMO_B2_H
#define MEMO_B2_H

#include <blake2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libb2's AVX code, exported by its archive and its shared object but not
 * declared by blake2.h: weak, so that a libb2 without it links and is used
 * through its own entry points. */
extern __typeof__(blake2b_init) blake2b_init_avx __attribute__((weak));
extern __typeof__(blake2b_init_key) blake2b_init_key_avx __attribute__((weak));
extern __typeof__(blake2b_update) blake2b_update_avx __attribute__((weak));
extern __typeof__(blake2b_final) blake2b_final_avx __attribute__((weak));
extern __typeof__(blake2b) blake2b_avx __attribute__((weak));

/* Whether the calls below go to libb2's AVX code (b2.c's constructor). */
extern bool b2_avx;

/* Whether glibc's record of the CPU (no CPUID) says the feature `index`
 * (an x86_cpu_* of <sys/platform/x86.h>) is usable. */
bool b2_cpu_active(unsigned index);

static inline int b2_init(blake2b_state *S, size_t outlen)
{
	return b2_avx ? blake2b_init_avx(S, outlen) : blake2b_init(S, outlen);
}

static inline int b2_init_key(blake2b_state *S, size_t outlen, const void *key, size_t keylen)
{
	return b2_avx ? blake2b_init_key_avx(S, outlen, key, keylen) :
			blake2b_init_key(S, outlen, key, keylen);
}

static inline int b2_update(blake2b_state *S, const uint8_t *in, size_t inlen)
{
	return b2_avx ? blake2b_update_avx(S, in, inlen) : blake2b_update(S, in, inlen);
}

static inline int b2_final(blake2b_state *S, uint8_t *out, size_t outlen)
{
	return b2_avx ? blake2b_final_avx(S, out, outlen) : blake2b_final(S, out, outlen);
}

/* The digest of in[0..inlen), keyed by key[0..keylen) (NULL, 0: none). */
static inline int b2(uint8_t *out, const void *in, const void *key, size_t outlen, size_t inlen,
		     size_t keylen)
{
	return b2_avx ? blake2b_avx(out, in, key, outlen, inlen, keylen) :
			blake2b(out, in, key, outlen, inlen, keylen);
}

#endif
