/*
 * records: the small records libmemo keeps besides results, each with its
 * key, encoding and version, and where it lives (results are key.c's and
 * value.c's):
 *   flush generation   "g1-" + 24 hex    in the store      decimal text
 *   single-flight lease "lease1-" + the entry key's 64 hex, in the store
 *                                        (the backend's `lease` op writes it)
 * A record key other than a lease's is "<tag>-" + 24 hex digits of
 * BLAKE2b-256(namespace ‖ NUL ‖ name): fixed length, any namespace and name.
 * A new encoding takes a new tag ("g2"); the old records are then
 * never read again and age out.
 * Calls store, key, util, libb2.
 * records_lease_key is hot-path safe (a single-flight miss); the rest run at
 * a hook's first call under hooks_lock, or in the memo command. Any thread;
 * nothing to do after fork.
 */
#ifndef MEMO_RECORDS_H
#define MEMO_RECORDS_H

#include <stdint.h>

#include "base/stats.h"
#include "store/key.h"
#include "store/store.h"

/* ---- flush generation ------------------------------------------------ */

/* The symbol `memo flush` without a symbol bumps: every key folds in the sum
 * of its generation and the symbol's own, which either bump changes. */
#define RECORDS_ALL_SYMBOLS "*"

/* A symbol's generation in namespace_; 0 when none was recorded (or the
 * store failed: the count is in st). */
uint64_t records_generation_read(struct store *s, const char *namespace_, const char *symbol,
				 struct memo_stats *st);

/* `memo flush`: one more than the generation read; its new value into
 * *generation. 0, or -1 when the store did not take it. Two flushes racing
 * may bump once: either makes every earlier entry unreachable. */
int records_generation_bump(struct store *s, const char *namespace_, const char *symbol,
			    uint64_t *generation, struct memo_stats *st);

/* ---- single-flight lease --------------------------------------------- */

#define RECORDS_LEASE_PREFIX "lease1-"

/* The key of the lease on an entry (flight.c): its own prefix and the
 * entry's hex, so a lease never names an entry, and KEY_TEXT_MAX holds it. */
void records_lease_key(struct memo_key *lease, const struct memo_key *entry);

#endif
