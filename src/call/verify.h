/*
 * verify: `verify = FRACTION` recomputes that share of a function's hits and
 * compares the fresh result (return value and out/inout buffers, byte for
 * byte) with the cached one, to catch a function that is not pure. A
 * mismatch is said on stderr (the symbol, the key, both values), counted
 * (`impure`), and the fresh result is what the caller gets; call.c then
 * overwrites the entry with it (the cached value is what the function no
 * longer computes: serving it again would repeat the disagreement).
 * Calls store, value, log, evaluate.c. Hot path, any thread: the draw
 * is a per-thread xorshift, no lock; a recomputed call costs what a miss does.
 */
#ifndef MEMO_VERIFY_H
#define MEMO_VERIFY_H

#include <stdint.h>

#include "call/evaluate.h"
#include "store/key.h"

enum verify_result {
	VERIFY_NONE = 0,	/* no usable cached value: a plain miss follows */
	VERIFY_SAME,		/* recomputed, equal: a hit, counted */
	VERIFY_DIFFERENT,	/* recomputed, different: said and counted; store the fresh result */
};

/* 1 when this call is one of the share to recompute (h->fn->verify > 0). */
int verify_due(const struct hook *h);

/* Look the call up; when a verified value is there, run the original (with
 * the caller's errno), compare, count. The fresh result is then in the
 * caller's memory (ret, out/inout buffers), *ns is how long it took and
 * *call_errno the errno it left. Entered and left with the guard taken. */
int verify_call(struct hook *h, const struct memo_key *k, void *ret, void **args,
		const struct layout *l, int caller_errno, uint64_t *ns, int *call_errno);

#endif
