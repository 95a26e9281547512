/*
 * call.h: what the call path's files share (call.c: the plain memoized call;
 * repeat.c: repeated evaluations of stochastic functions). Hot-path helpers:
 * no allocation, no lock.
 */
#ifndef MEMO_CALL_H
#define MEMO_CALL_H

#include <stdint.h>
#include <sys/uio.h>

#include "find/hook.h"
#include "store/key.h"
#include "store/value.h"

/* Values up to this size are read and written on the stack. */
#define VALUE_INLINE 4096

enum warn_bits {
	WARN_REJECTED = 1, WARN_LENGTH = 2, WARN_POINTER = 4, WARN_ENCODE = 8,
	WARN_CAS = 16,
};

/* Where one call's results live in the caller's memory: part 0 is the return
 * value, then each out/inout buffer in argument order. */
struct layout {
	int nparts;
	struct iovec part[VALUE_MAX_PARTS];
};

/* True the first time `bit` is raised for h: say a thing once per process. */
int call_warn_once(struct hook *h, int bit);
uint64_t call_now_ns(void);
/* Run the original as the caller would (memo_busy clear, the caller's errno),
 * time it and count it; returns its time in ns and *call_errno as it left. */
uint64_t call_evaluate(struct hook *h, void *ret, void **args, int caller_errno,
		       int *call_errno);
/* Write a scalar into libffi's return slot (small integers widened). */
void call_put_return(const struct scalar_type *t, void *ret, const void *src);

/* repeat.c: serve a call of a hook with allow_repeated_evaluations.
 * Entered with memo_busy set and the call counted; leaves memo_busy clear
 * and errno as the caller must see it. */
void repeat_call(struct hook *h, const struct memo_key *k, void *ret, void **args,
		 int caller_errno);

#endif
