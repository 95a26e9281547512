/*
 * prime: a hook's preparation at its first call (prime.c), so that a process
 * which never calls a configured function pays nothing for it. Owns the
 * store's opening and the identity cache's folder. Calls store, records,
 * identity, explain, key, log, sigframe. Reached from the call path of any thread,
 * once per hook; takes runtime_lock; after fork the child keeps what was
 * primed.
 */
#ifndef MEMO_PRIME_H
#define MEMO_PRIME_H

#include "find/hook.h"

/* Open the store (the first time), compute the hook's identity and bind
 * its globals, read its flush generation, make its key prefix, remember its
 * explain record. Once per hook; later calls return what the first gave.
 * 0, or -1 (said on stderr once): the hook's calls then go to the original.
 * When only the flush generation could not be read (a server down), the hook
 * is left PRIMED_NO_GENERATION: -1 until a later call, at most every 250 ms,
 * reads it.
 * Also -1, silent and for this call only, inside a signal handler (which may
 * have interrupted malloc): a later call outside one primes.
 * Takes runtime_lock: never call it with the guard taken. */
int prime_hook(struct hook *h);

/* The identity cache's folder, once: `identity/` in the cache folder (or the
 * default one when only memcached is configured) where it follows the folder
 * store's rules (identity_set_cache_dir), else none: a refused folder gets
 * nothing written into it. The start-up calls it before a prototype's
 * verdict is looked up (find/signature.c keeps it there); single-threaded
 * before main, else under runtime_lock. */
void prime_identity_dir(void);

#endif
