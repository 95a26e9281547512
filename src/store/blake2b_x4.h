/*
 * blake2b_x4: BLAKE2b-256 (no key) of four messages of the same length at
 * once, in AVX2's four 64-bit lanes: the tree's leaves (treehash.c), whose
 * digests are plain BLAKE2b's, bit for bit. Twice libsodium's one-message
 * speed on this project's machine, which has no faster BLAKE2b to offer.
 * Pure, any thread, no allocation.
 */
#ifndef MEMO_BLAKE2B_X4_H
#define MEMO_BLAKE2B_X4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether this CPU (and its OS) runs AVX2: only then may blake2b_x4 be
 * called. */
bool blake2b_x4_usable(void);

/* out[i] = BLAKE2b-256(in[i][0, len)); len a nonzero multiple of 128. */
void blake2b_x4(const uint8_t *const in[4], size_t len, uint8_t out[4][32]);

#endif
