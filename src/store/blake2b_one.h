/*
 * blake2b_one: the end of one BLAKE2b message, as libb2's blake2b_final
 * gives it, with AVX-512's rotations and two-register permutes where the
 * CPU has them. A hit's key and its value's check each end in one or two
 * compressions of a block, the most of a small folder hit's own time (three
 * of ~250 ns each here): ~15% faster than libb2's SSE code. Elsewhere, or
 * with a libb2 whose state this does not read alike (checked once on
 * sample states), libb2's own. Pure, any thread, no allocation.
 */
#ifndef MEMO_BLAKE2B_ONE_H
#define MEMO_BLAKE2B_ONE_H

#include <blake2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether this process ends digests with AVX-512 (decided at the first
 * call: the CPU has it and the sample states agree), else libb2. */
bool blake2b_one_fast(void);

/* out = the digest of S (outlen bytes, S's own length); S is used up, as
 * blake2b_final leaves it. */
void blake2b_one_final(blake2b_state *S, uint8_t *out, size_t outlen);

#endif
