/*
 * guard: the per-thread flag that says libmemo itself is at work on this
 * thread. A hooked call that finds it taken goes straight to the original:
 * calls made by libmemo's own dependencies (libc, libmemcached, libelf),
 * by a signal handler that interrupts libmemo, or by any thread of a process
 * while it holds runtime_lock (call/runtime.h) never re-enter the call path.
 * The model is uftrace's mcount_guard_recursion.
 * Owns memo_busy; calls nothing. Hot path, any thread, async-signal-safe; a
 * forked child inherits the forking thread's value (always clear outside
 * libmemo's own code).
 *
 *	int was = guard_take();
 *	... libmemo's own work: hooked calls made here run the original ...
 *	guard_restore(was);
 */
#ifndef MEMO_GUARD_H
#define MEMO_GUARD_H

#include <stdbool.h>

/* initial-exec: the inline entry (call/l1_hit.c) reads it without a call */
extern __thread int memo_busy __attribute__((tls_model("initial-exec")));

static inline bool guard_taken(void)
{
	return memo_busy != 0;
}

/* Take the guard; returns what it was, for guard_restore. */
static inline int guard_take(void)
{
	int was = memo_busy;

	memo_busy = 1;
	return was;
}

static inline void guard_restore(int was)
{
	memo_busy = was;
}

#endif
