/*
 * l1: the in-process first level in front of the stores. A repeated call in
 * one process is served here in nanoseconds: no BLAKE2b, no store.
 * Exact: an entry is found by a fast non-cryptographic tag of the call's
 * argument image (the same bytes the key hashes) and then compared byte for
 * byte with that image, so a tag collision can never serve another call's
 * result. Bounded (a fixed table, allocated on first use), thread-safe without
 * any lock (a sequence counter per slot: readers copy and re-check; a writer
 * that finds a slot busy skips). Filled by every store hit and every stored
 * result. Only small calls fit (image and value within one slot).
 * After fork the table stays valid: it only ever holds verified results.
 * l1.c builds probes and writes; l1_hit.c reads, with integer code only, so
 * that the inline entry can serve a hit before saving any vector state.
 */
#ifndef MEMO_L1_H
#define MEMO_L1_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "find/hook.h"
#include "store/value.h"

#define L1_IMAGE_MAX 256	/* argument bytes a call may have to use l1 */
#define L1_VALUE_MAX 512	/* room a caller gives l1_get */

/* One call's argument image and its tag. */
struct l1_probe {
	uint64_t tag;
	uint32_t hook;		/* index of the hook in hooks[] */
	uint32_t len;
	uint8_t image[L1_IMAGE_MAX];
};

/* Build the probe; -1 when the call is too large for l1 (or a length cannot
 * be evaluated). */
int l1_probe(const struct hook *h, void *const *args, struct l1_probe *pr);

/* What a hit gives besides its parts. */
struct l1_found {
	uint16_t flags;		/* VALUE_* */
	int32_t saved_errno;	/* errno as the call left it */
	uint64_t ns_saved;	/* the call's time, as stats count a hit's saving */
};

/* On a hit, copy the stored value into `space` (cap bytes) and describe it:
 * f and parts pointing into space. 1 = hit, 0 = miss. (l1_hit.c) */
int l1_get(const struct l1_probe *pr, uint8_t *space, size_t cap,
	   struct l1_found *f, struct iovec *parts, int nparts);

/* This thread's &errno, set by the call path: l1_entry_hit (entry.h) may
 * call nothing, not even __errno_location. NULL until this thread's first
 * memoized call takes the full path. */
extern __thread int *l1_errno;

/* Drop every result remembered for h: its code was unloaded, and the hook
 * will be identified anew (a reload). Start-up and dlopen only, under
 * runtime_lock: it walks the whole table. */
void l1_forget(const struct hook *h);

/* Ask for the lines of pr's slot that l1_put will write, for writing: a
 * remote lookup takes microseconds, and the put after it then finds them
 * in the cache (else its stores wait for them, and the next locked
 * instruction waits for its stores). */
void l1_prefetch(const struct l1_probe *pr);

/* Remember a verified result (ignored when it does not fit a slot). */
void l1_put(const struct l1_probe *pr, const struct value_meta *meta,
	    const struct iovec *parts, int nparts);

#endif
