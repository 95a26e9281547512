/*
 * flight: single flight (`single_flight = yes`): when several callers miss
 * the same key at once, in threads, processes or nodes, one computes and the
 * others wait for its result, each for at most single_flight_wait_s, then
 * compute themselves if it has not come.
 * Calls store (the `lease` op), records, stats. Any thread; after fork
 * the child starts with no flights (an atfork handler). Only on a miss of a
 * single-flight function, never on a hit.
 *
 * Use (call.c): every lookup of the call through flight_get, then, after
 * the first missed:
 *
 *	struct flight fl;
 *	flight_init(&fl);
 *	if (flight_get(h, &k, &fl, &buf) == STORE_HIT) return ...;
 *	while (flight_next(h, &k, &fl) == FLIGHT_POLL)
 *		if (flight_get(...) == STORE_HIT) { flight_end(h, &fl, true); return; }
 *	... compute, store ...
 *	flight_end(h, &fl, stored);
 */
#ifndef MEMO_FLIGHT_H
#define MEMO_FLIGHT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/membuf.h"
#include "find/hook.h"
#include "store/key.h"

enum flight_step {
	FLIGHT_COMPUTE = 0,	/* compute now (then flight_end) */
	FLIGHT_POLL = 1,	/* look the key up again; if it still misses, call flight_next again */
};

/* One call's progress; on the caller's stack. */
struct flight {
	int state;
	int slot;		/* in-process table slot held, or -1 */
	bool leased;		/* the store lease is ours */
	bool waited;		/* another caller's computation was waited for */
	int8_t held;		/* the last lookup saw the lease: 1 held, 0 free, -1 not asked */
	pid_t pid;		/* the process that started this flight */
	uint64_t owner;
	uint64_t claim;		/* the slot's claim serial while we hold it */
	uint64_t deadline_ns;	/* CLOCK_MONOTONIC: when waiting ends */
	uint64_t sleep_ns;	/* next poll interval */
	struct memo_key entry;	/* the call's key, and the lease's (records_lease_key) */
	struct memo_key lease;
};

static inline void flight_init(struct flight *f)
{
	f->state = 0;
	f->slot = -1;
	f->leased = false;
	f->waited = false;
	f->held = -1;
	f->owner = 0;
	f->entry.textlen = 0;	/* keys_set: not yet */
}

/* A lookup of the call's entry in the store (store_get's results), which
 * also asks whether its lease is held where the store can tell in the same
 * request (store.h get_leased): flight_next then takes a free lease without
 * looking again, and waits for a held one without asking for it. The call's
 * first lookup takes the lease in that same exchange when the function's
 * last call missed (hook.h flight_hit). Entered with the guard taken. */
int flight_get(struct hook *h, const struct memo_key *k, struct flight *f, struct membuf *out);

/* Entered with the guard taken and cancellation disabled (call.c); may
 * sleep, never longer than the wait bound. */
enum flight_step flight_next(struct hook *h, const struct memo_key *k, struct flight *f);

/* Release what the call holds (the lease after the result is stored, the
 * in-process slot) and count the wait. `stored`: a result is in the store
 * now, or should be (waiters look it up rather than compute). Entered with
 * the guard taken; may change errno (the call path sets it after). */
void flight_end(struct hook *h, struct flight *f, bool stored);

#endif
