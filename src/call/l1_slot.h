/*
 * l1_slot: the table's slot format and the argument image, shared by l1.c
 * (building probes, writing slots) and l1_hit.c (reading them, also for the
 * entry's early hit). Everything here is integer code that calls nothing, so
 * that l1_hit.c can be built for general registers only.
 */
#ifndef MEMO_L1_SLOT_H
#define MEMO_L1_SLOT_H

#include <stddef.h>
#include <stdint.h>

#include "find/hook.h"
#include "call/l1.h"

#define L1_SLOTS 4096
#define L1_SLOT_SIZE 512

/* One slot, guarded by seq: odd while a writer is inside (see l1.c). */
struct slot {
	uint64_t seq;
	uint64_t tag;
	uint32_t hook;
	uint16_t image_len;
	uint16_t value_len;	/* bytes after the image: parts, as below */
	int32_t saved_errno;
	uint16_t flags;
	uint16_t nparts;
	uint64_t ns_saved;	/* what a hit saves, as the stats count it */
	/* image ‖ nparts × u32 part length ‖ part bytes */
	uint8_t data[L1_SLOT_SIZE - 40];
};

_Static_assert(sizeof(struct slot) == L1_SLOT_SIZE, "slot layout");

/* Mapped by l1.c on the first put, never unmapped (threads may be reading);
 * NULL until then. Atomic access. */
extern struct slot *l1_table;

/* Past the table's L1_SLOTS slots: a 16-bit hint per slot, the top bits of
 * the tag its writer put there, written inside the writer's seq. A probe
 * reads it first, and goes to the slot only when it agrees: a call the
 * table does not hold (every remote hit, every miss) costs a read of this
 * 8 KiB array, which stays in the cache, not of a slot of the 2 MiB table,
 * which is a memory access. Only a filter: a hit is still decided by the
 * slot's seq, tag and image, so a stale hint can only cost a hit. */
#define L1_HINTS_BYTES (L1_SLOTS * sizeof(uint16_t))

static inline uint16_t *l1_hints(struct slot *t)
{
	return (uint16_t *)(t + L1_SLOTS);
}

static inline uint16_t l1_hint_of(uint64_t tag)
{
	return (uint16_t)(tag >> 48);	/* the slot is the tag's low bits */
}

/* memcpy and memcmp, written out: l1_hit.c may call nothing. Words, then
 * a tail of 4, 2 and 1 bytes (scalars are mostly 4 or 8). */
static inline void l1_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	uint64_t w;
	uint32_t v;
	uint16_t u;

	for (; n >= 8; dst += 8, src += 8, n -= 8) {
		__builtin_memcpy(&w, src, 8);
		__builtin_memcpy(dst, &w, 8);
	}
	if (n & 4) {
		__builtin_memcpy(&v, src, 4);
		__builtin_memcpy(dst, &v, 4);
		dst += 4, src += 4;
	}
	if (n & 2) {
		__builtin_memcpy(&u, src, 2);
		__builtin_memcpy(dst, &u, 2);
		dst += 2, src += 2;
	}
	if (n & 1)
		*dst = *src;
}

static inline int l1_same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y;

	for (; n >= 8; a += 8, b += 8, n -= 8) {
		__builtin_memcpy(&x, a, 8);
		__builtin_memcpy(&y, b, 8);
		if (x != y)
			return 0;
	}
	x = y = 0;
	l1_copy((uint8_t *)&x, a, n);
	l1_copy((uint8_t *)&y, b, n);
	return x == y;
}

static inline int l1_append(struct l1_probe *pr, const void *src, size_t n)
{
	if (n > L1_IMAGE_MAX - pr->len)
		return -1;
	l1_copy(pr->image + pr->len, src, n);
	pr->len += n;
	return 0;
}

/* The image starts with the rounding mode (only for hooks with a float in
 * their prototype); `mxcsr` is the register's value. */
static inline void l1_image_start(struct l1_probe *pr, const struct hook *h, uint32_t mxcsr)
{
	pr->len = 0;
	pr->hook = (uint32_t)h->index;
	if (h->fn->proto.uses_float) {
		uint32_t mode = mxcsr & 0xe040u;
		l1_append(pr, &mode, sizeof mode);
	}
}

/* A fast 64-bit hash (multiply-xorshift over 8-byte words): a tag to find
 * the slot, never trusted for equality. */
static inline uint64_t l1_hash(const uint8_t *p, size_t n, uint64_t seed)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = seed ^ (n * k), w;

	for (; n >= 8; p += 8, n -= 8) {
		__builtin_memcpy(&w, p, 8);
		h = (h ^ (w * k)) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	if (n) {
		w = 0;
		l1_copy((uint8_t *)&w, p, n);
		h = (h ^ (w * k)) * 0x94d049bb133111ebull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/* The image ends with the declared globals' current bytes; then the tag. */
static inline int l1_image_finish(struct l1_probe *pr, const struct hook *h)
{
	for (int i = 0; i < h->nglobals; i++)
		if (l1_append(pr, h->globals[i].iov_base, h->globals[i].iov_len) < 0)
			return -1;
	pr->tag = l1_hash(pr->image, pr->len, pr->hook);
	return 0;
}

#endif
