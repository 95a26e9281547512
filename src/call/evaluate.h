/*
 * evaluate: running a hooked function's original as its caller would, and
 * what every way of serving a call shares (the plain path in call.c and the
 * policies: repeat.c, verify.c). The layer's bottom: calls only libffi, the
 * guard and stats; nothing here calls back up into call.c.
 * Hot path, any thread: no allocation, no lock.
 */
#ifndef MEMO_EVALUATE_H
#define MEMO_EVALUATE_H

#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "config/proto.h"
#include "config/types.h"
#include "find/hook.h"
#include "store/value.h"

/* Values up to this size are read and written without allocating (in the
 * thread's scratch, scratch.h). */
#define VALUE_INLINE 4096

/* Where one call's results live in the caller's memory: part 0 is the return
 * value, then each out/inout buffer in argument order. */
struct layout {
	int nparts;
	struct iovec *part;	/* nparts of them, in the serving call's frame */
};

/* Things said once per hook and process (hook->warned). */
enum warn_bits {
	WARN_REJECTED = 1, WARN_LENGTH = 2, WARN_POINTER = 4, WARN_ENCODE = 8,
	WARN_CAS = 16, WARN_UNREADABLE = 32, WARN_NULL_REF = 64,
};

/* True the first time `bit` is raised for h. */
static inline int evaluate_warn_once(struct hook *h, int bit)
{
	return !(__atomic_fetch_or(&h->warned, bit, __ATOMIC_RELAXED) & bit);
}

/* Zero the bytes of a scalar that carry none of its value (a struct's
 * padding too): a long double's 6 above its 10 (libffi's slot and the stored value are 16 bytes, the x87
 * store writes 10). Stored bytes are then the same for the same value, and
 * none is uninitialised. */
static inline void evaluate_clear_padding(const struct scalar_type *t, void *v)
{
	unsigned at = 0;

	if (!t->def) {
		if (t->bits < t->size)
			memset((uint8_t *)v + t->bits, 0, t->size - t->bits);
		return;
	}
	/* a struct's or a complex's: the gaps between its runs (types.h) */
	for (int i = 0; t->def->padded && i <= t->def->nruns; i++) {
		unsigned end = i < t->def->nruns ? t->def->run[i].off : t->size;

		if (end > at)
			memset((uint8_t *)v + at, 0, end - at);
		if (i < t->def->nruns)
			at = t->def->run[i].off + t->def->run[i].len;
	}
}

/* Call the original with the caller's arguments, as they are; the return
 * slot's padding cleared (evaluate_clear_padding). */
void evaluate_original(struct hook *h, void *ret, void **args);

/*
 * Cancellation: libmemo's own work in a call (the store, single flight's
 * waits, priming) runs with cancellation disabled, so that pthread_cancel
 * never stops a thread inside it with a lock held or a slot taken. The body
 * is where the program's cancellation points are: it runs with the state the
 * caller had, which call_handler keeps here for this thread's current call
 * (PTHREAD_CANCEL_ENABLE or _DISABLE). A cancellation that arrives while
 * libmemo waits happens at the program's next cancellation point, in the body
 * if it runs, after the call if the call is served: as after a hit.
 */
extern __thread int evaluate_cancel_state;

/* Run the original as the caller would: the guard released for its time
 * (its own calls of hooked functions are memoized), errno as the caller left
 * it, the caller's cancellation state (evaluate_cancel_state). Counts the evaluation and its time; returns the time in ns and
 * *call_errno as the body left errno. Entered and left with the guard taken. */
uint64_t evaluate_timed(struct hook *h, void *ret, void **args, int caller_errno,
			int *call_errno);

/* Write a scalar into libffi's return slot (small integers widened). */
void evaluate_put_return(const struct scalar_type *t, void *ret, const void *src);

#endif
