/*
 * runtime: the process-wide state that start-up (engine.c) establishes and the
 * call path (call.c) reads.
 * engine.c writes these before setting memo_state to MEMO_READY (release); the
 * call path reads memo_state first (acquire), so it sees them complete.
 * memo_busy is per thread: set while libmemo itself works, so that calls made
 * from its own dependencies (or a signal handler) go straight to the original.
 */
#ifndef MEMO_RUNTIME_H
#define MEMO_RUNTIME_H

#include "config/config.h"
#include "store/store.h"

enum memo_state_value { MEMO_OFF = 0, MEMO_READY, MEMO_STOPPING };

extern int memo_state;			/* enum memo_state_value; atomic access */
extern struct memo_config memo_cfg;	/* the loaded configuration */
extern __thread int memo_busy __attribute__((tls_model("initial-exec")));

/* The store, opened when the first hook activates (a process whose symbols
 * are all missing never opens one, nor loads libmemcached), before that hook
 * is routed to. NULL: no cache; calls go to the originals. */
extern struct store *memo_store;

static inline int runtime_ready(void)
{
	return __atomic_load_n(&memo_state, __ATOMIC_ACQUIRE) == MEMO_READY;
}

#endif
