/*
 * runtime: the process-wide state of the engine, in one home. Start-up
 * (boot/engine.c) writes it; the call path reads it; patching (patch/got.c,
 * after a dlopen) and a hook's first call (call/prime.c) change it under
 * runtime_lock.
 * Publication: engine.c writes everything before setting memo_state to
 * MEMO_READY (release); the call path reads memo_state first (acquire), so it
 * sees it complete. Calls nothing but pthread and base/guard.h.
 */
#ifndef MEMO_RUNTIME_H
#define MEMO_RUNTIME_H

#include <pthread.h>
#include <sys/types.h>

#include "base/guard.h"
#include "config/config.h"
#include "find/hook.h"
#include "store/store.h"

enum memo_state_value { MEMO_OFF = 0, MEMO_READY, MEMO_STOPPING };

extern int memo_state;			/* enum memo_state_value; atomic access */
/* the loaded configuration: the preload's, which it never changes or
 * releases once it hands it to the engine (engine.c sets this at start-up;
 * a copy would write ~4 pages a start, as the preload's [cache] is ~14 KB) */
extern const struct memo_config *memo_cfg;

/* The store, opened at the first call of any hook (call/prime.c: a process
 * that never calls a configured function never opens one, nor loads
 * libmemcached). NULL: no cache; calls go to the originals. Written once,
 * under runtime_lock, before the hook that opened it is primed. */
extern struct store *memo_store;

/* Every configured function, in config order, then the other copies of
 * those defined in several objects (boot/activate.c), in the order found;
 * hooks[i].index == i. The array never moves (closures point into it): it
 * has room for `hooks_cap` hooks. The first ones are written at start-up
 * before any is installed; a copy is added under runtime_lock, written
 * before `nhooks` grows to hold it (release; readers outside the lock
 * load it with acquire). */
extern struct hook *hooks;
extern int nhooks, hooks_cap;
/* hooks[i]'s counters (its `stats`), `hooks_cap` of them, mapped beside it. */
extern struct stats_shards *hooks_stats;

/* This process's id, written at start-up and in a fork's child (engine.c):
 * the hot path compares it where it would otherwise ask getpid, a system
 * call on every call since glibc 2.25. */
extern pid_t runtime_pid;

static inline int runtime_ready(void)
{
	return __atomic_load_n(&memo_state, __ATOMIC_ACQUIRE) == MEMO_READY;
}

/*
 * runtime_lock serializes what changes hooks after start-up: a hook's first
 * call (priming) and the patching pass after a dlopen. Never taken on the
 * hot path. Whoever holds it has the guard taken, so a hooked call made
 * under it (by libmemo's dependencies, or by a constructor a dlopen runs)
 * goes to the original and never waits for the lock: the one place that rule
 * is written. Returns what the guard was, for runtime_unlock.
 */
int runtime_lock(void);
void runtime_unlock(int guard_was);

/* fork: the lock is held across it (pthread_atfork, engine.c) so that the
 * child never inherits it held by a thread it does not have. */
void runtime_before_fork(void);
void runtime_after_fork(void);

#endif
