/*
 * value: the bytes stored under a key, and their verification.
 *
 *   header (88 bytes, little-endian)
 *     0  u32 magic "MEMO"   4 u16 format version   6 u16 flags
 *     8  u64 payload length
 *    16  f64 seconds the call took
 *    24  i32 errno the call left      28 u32 number of parts
 *    32  u64 count  40 f64 mean  48 f64 M2   (repeated evaluations; else 0)
 *    56  check[32] over key hash ‖ header[0,56) ‖ payload:
 *        - with a secret configured, BLAKE2b-256 keyed with it (a MAC), in
 *          every version: whoever can write the store but lacks the secret
 *          cannot forge a value;
 *        - without one, version 4: XXH3-128 (16 bytes, then 16 zero bytes,
 *          checked zero too); versions 1-3: BLAKE2b-256. XXH3 is no MAC and
 *          not collision-resistant against a chooser of bytes: it catches
 *          accidental corruption only (a torn write, a flipped bit, another
 *          key's bytes), which is all an unkeyed check can do anyway, since
 *          anyone who can write the store can compute a plain one.
 *        From version 3, a payload of TREEHASH_MIN bytes or more enters as
 *        its BLAKE2b tree root (treehash.h, every version), hashed on every
 *        core.
 *   payload: parts, each u64 length ‖ bytes: the return value first, then each
 *            out/inout buffer in argument order; then (version 2) u64 tag:
 *            the function the value is of (records_function_tag), so that
 *            `memo stats` and `memo clear` can tell a folder's entries apart.
 *            Version 1 (no tag) still decodes, with tag 0, version 2
 *            (every payload checked flat) and version 3 (BLAKE2b without a
 *            secret) too: the key is the same, and entries written before
 *            keep hitting.
 *
 * A value that fails any check is rejected: never returned, counted, recomputed.
 * Pure functions of their inputs; hot-path safe (no allocation: encode writes
 * into a membuf whose inline space fits small values).
 */
#ifndef MEMO_VALUE_H
#define MEMO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "store/key.h"
#include "base/membuf.h"

#define VALUE_MAGIC 0x4f4d454dU	/* "MEMO" */
#define VALUE_VERSION 4
#define VALUE_HEADER_SIZE 88
#define VALUE_MAX_PARTS (PROTO_MAX_ARGS + 1)

enum value_flags {
	VALUE_RET_NULL = 1 << 0,	/* a pointer return was NULL */
	VALUE_STOCHASTIC = 1 << 1,	/* count/mean/M2 are meaningful */
};

struct value_meta {
	uint16_t flags;
	double seconds;
	int32_t saved_errno;
	uint64_t count;
	double mean, m2;
	uint64_t tag;		/* whose value (version 2 on); 0: not known */
};

/* Secret for the MAC; NULL/0 = plain checksum. Set once at start-up. */
void value_set_secret(const uint8_t *secret, size_t len);

/* Serialize meta and parts into out (out->len = total). -1 if out of memory. */
int value_encode(const struct memo_key *k, const struct value_meta *meta,
		 const struct iovec *parts, int nparts, struct membuf *out);

enum value_verdict {
	VALUE_OK = 0,
	VALUE_BAD_MAGIC,
	VALUE_BAD_VERSION,
	VALUE_BAD_LENGTH,
	VALUE_BAD_CHECK,
	VALUE_BAD_PARTS,
};

/* Parse and verify buf. On VALUE_OK, parts[i] point into buf. `nparts` is the
 * number the caller expects; a value with another count is VALUE_BAD_PARTS. */
enum value_verdict value_decode(const struct memo_key *k, const void *buf,
				size_t len, struct value_meta *meta,
				struct iovec *parts, int nparts);

/* value_decode of b's bytes; where b's reader hashed the payload as a tree
 * while reading it (membuf.h: a folder entry's), its root is used, not
 * computed again: a large hit costs one pass over the value, not two. */
enum value_verdict value_decode_buf(const struct memo_key *k, const struct membuf *b,
				    struct value_meta *meta, struct iovec *parts, int nparts);

/* Whether a value of len bytes with this header is checked through its
 * payload's tree root (version 3 on, a payload of TREEHASH_MIN bytes or
 * more): its reader may then hash the payload as it reads it
 * (treehash_read), for value_decode_buf. */
bool value_tree_checked(const uint8_t head[VALUE_HEADER_SIZE], uint64_t len);

const char *value_verdict_str(enum value_verdict v);

/* The tag of a stored value of len bytes from its first 8 bytes and its last
 * 8, unverified (to attribute entries, never to trust them); 0 for a
 * version-1 value or anything else. */
uint64_t value_tag(const uint8_t head[8], uint64_t len, const uint8_t tail[8]);

#endif
