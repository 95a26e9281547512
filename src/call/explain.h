/*
 * explain: why a call missed (MEMO_EXPLAIN=1): the first call with these
 * arguments, a code identity changed since they were cached (and which part:
 * the function's own code, a constant, a string, a callee, an import or its
 * library), the config's prototype or rules changed, or a flush.
 * Keeps each symbol's last two states (identity, flush generation, digest
 * of the canonical prototype and rules) with the digests of each part that
 * went into the identity (identity_parts), in its explain history record
 * (records.h). Calls identity, records, key, store, proto, log.
 * explain_activate runs under runtime_lock (call/prime.c); explain_miss runs on
 * the hot path only when MEMO_EXPLAIN is set (any thread, read-only state).
 */
#ifndef MEMO_EXPLAIN_H
#define MEMO_EXPLAIN_H

#include "find/hook.h"

/* Set once by explain_init (MEMO_EXPLAIN=1) before any hook is active. */
extern int explain_on;

void explain_init(void);

/* At a hook's first call (prime_hook), with the store open: read the symbol's record, compare
 * it with the current state, write the record when the state is new, and
 * (when explain_on) keep what changed for explain_miss. Never fails the hook. */
void explain_activate(struct hook *h);

/* One line on stderr saying why this call of h missed (`skipped`: the
 * shared store was not asked, adaptive bypass). The guard is taken. */
void explain_miss(struct hook *h, void **args, int skipped);

#endif
