/*
 * scratch: a thread's own memory for the call path, so that a memoized call
 * takes little of the caller's stack (a 16 KiB thread's, an 8 KiB
 * coroutine's or signal stack's). Two parts, each mapped at the thread's
 * first need and unmapped when it exits:
 *  - the value buffers of call.c (struct scratch), used only with the guard
 *    taken and never across the body, so one set serves every level of a
 *    memoized recursion and a signal handler's call (which finds the guard
 *    taken and runs the original) never meets them in use; but for the
 *    entry's probe, handed from l1_entry_hit to the same call's full path
 *    with the guard still free, under a mark that a signal handler's call
 *    in between changes (struct scratch's entry_seq);
 *  - the save slots entry.S takes for the caller's vector state, one per
 *    level of memoized calls in progress: entry.S maps them itself (before
 *    any vector register is saved, so with a bare system call) and reads
 *    the three variables below; this file unmaps them at thread exit.
 * Calls nothing but mmap and pthread keys. Async-signal-safe but for
 * scratch_init.
 */
#ifndef MEMO_SCRATCH_H
#define MEMO_SCRATCH_H

/* Included by entry.S too: plain macros outside the C part. */
#define VEC_SLOTS 256	/* levels of memoized calls in progress, per thread */

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <sys/uio.h>

#include "call/evaluate.h"
#include "call/l1.h"

struct scratch {
	uint8_t value[VALUE_INLINE];	/* a value from the store, or one to store */
	uint8_t l1[L1_VALUE_MAX];	/* a value from l1 */
	struct iovec got[VALUE_MAX_PARTS];	/* the parts of either */
	struct l1_probe probe;		/* a call's argument image for l1 */
	/*
	 * The probe l1_entry_hit built and missed with, for its call's full
	 * path (call.c), which would build the same again: written with the
	 * guard free, so a signal handler's call may write it too, even
	 * halfway through. entry_seq is the mark: bumped before the copy,
	 * and bumped again after it by one instruction (cmpxchg) only if no
	 * other writer came between; the value then reached is handed to the
	 * full path in the entry's frame. The full path (guard taken: no
	 * writer runs) uses the probe only while entry_seq still equals it.
	 */
	struct l1_probe entry_probe;
	uint64_t entry_seq;
};

/* This thread's scratch, or NULL before its first call (scratch_get): read
 * by l1_entry_hit, which may call nothing. */
extern __thread struct scratch *scratch_mapped;

/* This thread's scratch, mapped at its first call; NULL when it cannot be
 * (the call then runs the original). */
struct scratch *scratch_get(void);

/* Once, at start-up, before any call: the key whose destructor unmaps an
 * exiting thread's memory. */
void scratch_init(void);

/*
 * entry.S's save slots: [memo_vec_base, memo_vec_end) is this thread's area
 * (0 until mapped), memo_vec_top the first free slot. A slot is taken by
 * moving top up by one slot's size (a single store: a signal handler that
 * takes one meanwhile gives it back before the interrupted entry goes on)
 * and given back by setting top to the slot again, only when it is the top
 * one: a slot above it may be another coroutine's, live on another stack.
 * Slots left by a longjmp or an exception, and those below them, stay taken
 * until the thread exits; when the area is full, entry.S saves on the
 * stack, as when nothing is mapped.
 */
extern __thread uintptr_t memo_vec_base, memo_vec_end, memo_vec_top;
#endif

#endif
