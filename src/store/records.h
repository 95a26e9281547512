/*
 * records: the small records libmemo keeps besides results (those are
 * key.c's and value.c's), each with its key, encoding, version and home:
 *
 *   flush generation     "g1-" + 24 hex of (namespace, symbol)
 *                        in the store; decimal text of a random number
 *                        (none: 0); the last one read: a file in the
 *                        identity folder
 *   single-flight lease  "lease1-" + its entry's 64 hex
 *                        in the store; written by the backend's `lease` op
 *   explain history      "x1-" + 24 hex of (namespace, symbol@version)
 *                        a file in the identity cache folder; text, below
 *   stats across runs    <cache folder>/stats/0 .. 15; text, below
 *                        (records_stats.c)
 *
 * "24 hex of (...)" is BLAKE2b-256(namespace ‖ NUL ‖ name), its first 12
 * bytes: a fixed length for any namespace and name. A new encoding takes a
 * new tag ("g2", "x2"): the old records are then never read again.
 * Calls store, key, identity (the cache folder), config (the default cache
 * folder), log, util, libb2.
 * records_lease_key is hot-path safe (a single-flight miss); the rest run at
 * a hook's first call under runtime_lock, or in the memo command. Any thread;
 * nothing to do after fork.
 */
#ifndef MEMO_RECORDS_H
#define MEMO_RECORDS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/membuf.h"
#include "base/stats.h"
#include "find/identity.h"
#include "store/key.h"
#include "store/store.h"

/* ---- flush generation ------------------------------------------------ */

#define RECORDS_GENERATION_TAG "g1"

/* Whether a file of the folder store is a record its eviction keeps: a
 * flush generation (two blocks or so a function; evicting one would flush
 * its function). Not an entry: not counted in max_size nor in memo stats'
 * entries. Leases expire, and go with the entries. */
static inline bool records_kept(const char *name)
{
	return strncmp(name, RECORDS_GENERATION_TAG "-", sizeof RECORDS_GENERATION_TAG) == 0;
}

/* The symbol `memo flush` without a symbol bumps: every key folds in the sum
 * of its generation and the symbol's own, which either bump changes. */
#define RECORDS_ALL_SYMBOLS "*"

/* A symbol's generation in namespace_ into *generation, read from the
 * store's shared layer (the latest of its replicas on several servers,
 * written back where one is missing or older): 0. No record is 0 (never
 * flushed: the same in every cache, which can then be shared), unless this
 * node keeps a copy of one it read (every server holding it restarted empty
 * since): the copy is written back. When
 * the store does not answer (the count is in st), the node's copy,
 * *from_copy set: 0; without a copy, -1: the generation is then not known,
 * and no entry may be served. */
int records_generation_read(struct store *s, const char *namespace_, const char *symbol,
			    uint64_t *generation, bool *from_copy, struct memo_stats *st);

/* `memo flush`: a fresh random generation replaces the one read on every
 * replica that answers, by cas (two flushes racing both take effect); its value into *generation. 0, or
 * -1 when the store did not take it. */
int records_generation_bump(struct store *s, const char *namespace_, const char *symbol,
			    uint64_t *generation, struct memo_stats *st);

/* ---- function tag ----------------------------------------------------
 * In every value a function stores (value.h, version 2): BLAKE2b-64
 * (namespace ‖ NUL ‖ symbol) little-endian, never 0. It tells a folder's entries
 * apart for `memo stats` and `memo clear SYMBOL`; the key does not use it. */
uint64_t records_function_tag(const char *namespace_, const char *symbol);

/* ---- single-flight lease --------------------------------------------- */

#define RECORDS_LEASE_PREFIX "lease1-"

/* The key of the lease on an entry (flight.c): its own prefix and the
 * entry's hex, so a lease never names an entry, and KEY_TEXT_MAX holds it. */
void records_lease_key(struct memo_key *lease, const struct memo_key *entry);

/* ---- explain history (explain.c) -------------------------------------
 * One file per configured symbol@version, holding its last two states,
 * newest first:
 *   memo-explain 1
 *   state IDENTITY-HEX GENERATION PROTO-HEX kKEY-FORMAT   (no kN: format 1)
 *   fn PARENT NAME CODE-HEX DATA-HEX STRINGS-HEX    (PARENT "-": the symbol)
 *   import FN NAME@VERSION PROVIDER                 (PROVIDER: build-id)
 *   end
 * Local, not in the shared store: every process start reads it, and a
 * memcached round trip (or the timeouts of a stopped server) is not a price
 * a run should pay for a question it may never ask. Written to a temporary
 * file and renamed: a reader sees all of a record or none.
 */

#define RECORDS_DIGEST_HEX (2 * IDENTITY_DIGEST_BYTES)

/* One function of a state: the digests of its identity's parts. */
struct records_xfn {
	char *name, *parent;
	char code[RECORDS_DIGEST_HEX + 1], data[RECORDS_DIGEST_HEX + 1];
	char strings[RECORDS_DIGEST_HEX + 1];
};

/* One import of a function, with the build-id of the object providing it. */
struct records_ximport {
	char *fn, *name, *provider;
};

/* One state as read; records_xstate_free releases it. */
struct records_xstate {
	uint8_t identity[32];
	uint64_t generation;
	uint8_t proto[32];	/* digest of the canonical prototype and rules */
	unsigned key_format;	/* KEY_FORMAT_VERSION of the build that wrote it */
	struct records_xfn *fn;
	int nfn;
	struct records_ximport *imp;
	int nimp;
	const char *raw;	/* its lines in the text parsed, to copy them on */
	size_t rawlen;
};

/* The key of a function's explain history; `copy` is "" for the first copy
 * of a function found, else the path of the object whose copy it is (the
 * other copies of a name defined in several objects keep their own). */
void records_explain_key(struct memo_key *k, const char *namespace_, const char *symbol,
			 const char *version, const char *copy);

/* Read the record of key k into b and parse its states (at most max) into
 * st, whose `raw` then point into b. Returns how many, 0 when there is no
 * record, -1 when it is not one libmemo wrote (then st holds nothing). */
int records_explain_load(const struct memo_key *k, struct membuf *b, struct records_xstate *st,
			 int max);

/* The same, from text already in memory. */
int records_explain_parse(const char *text, size_t len, struct records_xstate *st, int max);

void records_xstate_free(struct records_xstate *s);

/* A record being written: put the header, then each state (its state line,
 * its fn and import lines in any order, its end; or an earlier state as
 * read), then write it. Out of memory sets `failed`; free(buf) after. */
struct records_xtext {
	char *buf;
	size_t len, cap;
	int lines;		/* fn and import lines put */
	bool failed;
};

void records_explain_put_header(struct records_xtext *t);
void records_explain_put_state(struct records_xtext *t, const uint8_t identity[32],
			       uint64_t generation, const uint8_t proto[32]);
void records_explain_put_fn(struct records_xtext *t, const char *parent, const char *name,
			    const char *code, const char *data, const char *strings);
void records_explain_put_import(struct records_xtext *t, const char *fn, const char *name,
				const char *provider);
void records_explain_put_end(struct records_xtext *t);
void records_explain_put_old(struct records_xtext *t, const struct records_xstate *s);

/* Replace the record of key k with t (`symbol` names it in messages). A
 * failure is only said at MEMO_LOG=debug: the record is an aid. */
void records_explain_write(const struct memo_key *k, const struct records_xtext *t,
			   const char *symbol);

/* ---- stats across runs (records_stats.c) -----------------------------
 * What every process that ran with this cache folder did, added up: at exit
 * the engine adds its per-function counters (and a process that evicted,
 * what it evicted) to stats/N, N = pid % RECORDS_STATS_FILES, under a flock
 * of that file only. `memo stats` adds the files up; `memo stats -z` empties
 * them. Text:
 *   memo-stats 1
 *   evicted ENTRIES DISK-BYTES
 *   fn CALLS HITS MISSES SETS NS-SAVED NS-IN-FUNCTION SYMBOL   (to the line's end)
 * The cache folder is the config's dir (with memcached alone, the default
 * one, as for identities); it and stats/ follow the folder rules
 * (store_folder_root): one the store refuses (not ours, writable by group
 * or others) gets nothing written and is not read.
 */

#define RECORDS_STATS_FILES 16
#define RECORDS_STATS_WAIT_MS 100	/* at exit: a busy file is skipped, never waited out */

struct records_tally {
	const char *symbol;	/* owned (freed) in what records_stats_read filled */
	uint64_t calls, hits, misses, sets, ns_saved, ns_in_function;
};

struct records_tallies {
	struct records_tally *rows;
	int n;
	uint64_t evicted, evicted_bytes;
};

/* The cache folder whose stats/ keeps the stats of config c. */
void records_stats_home(const struct cache_config *c, char out[PATH_MAX]);

/* Add `add` to this process's stats file; rows' symbols are only read. 0, or
 * -1 when it was not kept (said at MEMO_LOG=debug: never hang an exit). */
int records_stats_add(const char *cache, const struct records_tallies *add);

/* The sum of every stats file into *t (records_tallies_free after); -1 when
 * some file could not be read (what could is in *t). */
int records_stats_read(const char *cache, struct records_tallies *t);

/* Empty every stats file (memo stats -z). 0, or -1 if some could not be. */
int records_stats_zero(const char *cache);

void records_tallies_free(struct records_tallies *t);

#endif
