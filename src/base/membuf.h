/*
 * membuf: a byte buffer that starts in caller-provided storage (usually the
 * stack) and moves to the heap only when a value outgrows it, so small calls
 * allocate nothing. Not shared between threads.
 *
 *   uint8_t space[4096];
 *   struct membuf b;
 *   membuf_init(&b, space, sizeof space);
 *   if (membuf_reserve(&b, n) < 0) ...;   // b.data has room for n bytes
 *   membuf_release(&b);                   // frees only what was malloc'ed
 */
#ifndef MEMO_MEMBUF_H
#define MEMO_MEMBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct membuf {
	uint8_t *data;
	size_t len;	/* bytes in use */
	size_t cap;
	uint8_t *inline_space;	/* the caller's storage; data == it until it grows */
	/* What a reader that hashed data[tree_from, tree_to) as it read it
	 * found (a large value's payload: store/treehash.h's root), so that
	 * the verifier need not hash those bytes again; tree_to 0: nothing.
	 * Whoever changes data or len after the reader clears tree_to. */
	size_t tree_from, tree_to;
	uint8_t tree[32];
};

static inline void membuf_init(struct membuf *b, void *space, size_t cap)
{
	b->data = b->inline_space = space;
	b->len = 0;
	b->cap = cap;
	b->tree_to = 0;
}

/* A large value's buffer (a 72 MB array read or encoded) is fresh memory
 * from mmap: asked in 2 MiB pages where the kernel gives them on request
 * (transparent_hugepage = madvise), each of its pages costs one fault, not
 * 512. Nothing happens for small buffers or where the kernel says no. */
#define MEMBUF_HUGE (8u << 20)
static inline void membuf_huge(uint8_t *p, size_t n)
{
	uintptr_t from = ((uintptr_t)p + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1);
	uintptr_t to = ((uintptr_t)p + n) & ~(uintptr_t)((2u << 20) - 1);

	if (n >= MEMBUF_HUGE && to > from)
		madvise((void *)from, to - from, MADV_HUGEPAGE);
}

/* Make room for `need` bytes in total (contents up to len are kept). */
static inline int membuf_reserve(struct membuf *b, size_t need)
{
	uint8_t *p;

	if (need <= b->cap)
		return 0;
	if (b->data == b->inline_space) {
		p = malloc(need);
		if (p && b->len)
			memcpy(p, b->data, b->len);
	} else {
		p = realloc(b->data, need);
	}
	if (!p)
		return -1;
	membuf_huge(p, need);
	b->data = p;
	b->cap = need;
	return 0;
}

static inline void membuf_release(struct membuf *b)
{
	if (b->data != b->inline_space)
		free(b->data);
	b->data = b->inline_space;
	b->len = 0;
	b->tree_to = 0;
}

#endif
