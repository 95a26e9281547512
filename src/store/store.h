/*
 * store: the one interface every cache backend implements (get / set /
 * compare-and-swap / delete), and the layering of several backends (a folder
 * in front of memcached: look up in order, a hit in a later layer fills the
 * earlier ones, a set goes to all).
 * Backends return raw bytes; verifying them is value.c's job.
 * Hot-path safe: get and set may block only up to the configured timeouts,
 * take no global lock, and allocate only for values larger than the caller's
 * membuf. After fork, store_after_fork must run in the child.
 */
#ifndef MEMO_STORE_H
#define MEMO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/log.h"
#include "config/config.h"
#include "store/key.h"
#include "base/membuf.h"
#include "base/stats.h"

enum store_result {
	STORE_MISS = 0,
	STORE_HIT = 1,
	STORE_ERROR = -1,	/* counted in stats->errors by the backend */
	STORE_TIMEOUT = -2,	/* counted in stats->timeouts by the backend */
	STORE_CONFLICT = -3,	/* cas: someone else changed the entry first */
};

struct store;

/* What a store that can list its entries holds (the folder). */
struct store_usage {
	uint64_t entries, bytes;	/* the values' own bytes */
	uint64_t disk;			/* what they take in disk blocks, as du counts */
	uint64_t max_size;		/* 0: unbounded */
	uint64_t oldest_ns, newest_ns;	/* last use, wall clock; 0: none */
	uint64_t stale;			/* temporary files left by killed writers */
};

struct store_ops {
	const char *name;
	/* Append the value to out (out->len grows). */
	int (*get)(struct store *s, const struct memo_key *k, struct membuf *out,
		   struct memo_stats *st);
	int (*set)(struct store *s, const struct memo_key *k, const void *val,
		   size_t len, struct memo_stats *st);
	/* Read with a token for a later cas; token 0 = no entry. */
	int (*gets)(struct store *s, const struct memo_key *k, struct membuf *out,
		    uint64_t *token, struct memo_stats *st);
	/* Store only if the entry is unchanged since gets gave `token` (0: only
	 * if there is still no entry). */
	int (*cas)(struct store *s, const struct memo_key *k, const void *val,
		   size_t len, uint64_t token, struct memo_stats *st);
	int (*del)(struct store *s, const struct memo_key *k, struct memo_stats *st);
	void (*after_fork)(struct store *s);	/* in the child */
	/* For `memo stats`: what the store holds (entries, bytes, limits) and,
	 * for servers, each one's status and hit ratio. Not for the hot path. */
	void (*report)(struct store *s, FILE *out);
	/* For `memo stats`: what report says, as numbers, and, if `each`,
	 * each entry's function (value.h's tag; 0 not known) and sizes. 0 or
	 * -1. NULL in a backend that cannot list its entries (memcached). */
	int (*usage)(struct store *s, struct store_usage *u,
		     void (*each)(void *ctx, uint64_t tag, uint64_t bytes, uint64_t disk), void *ctx);
	/* For `memo clear` and `memo evict`: among the entries of function
	 * `tag` (value.h; 0: every entry), remove every one last used before
	 * before_ns (wall clock; 0: no such rule; UINT64_MAX: all), then the
	 * least recently used until the rest take at most to_disk bytes on
	 * disk (UINT64_MAX: no bound). How many it removed and the disk bytes
	 * they took into *removed, *freed. 0, or -1 when it could not start
	 * (another eviction held the folder for a second). NULL: as usage. */
	int (*trim)(struct store *s, uint64_t before_ns, uint64_t to_disk, uint64_t tag,
		    uint64_t *removed, uint64_t *freed);
	/* For `memo export`: fn(ctx, key text, value, length) for each entry
	 * of function `tag` (value.h; 0: every entry and record), the value
	 * read whole and unverified; stops at fn's nonzero return and returns
	 * it. 0, or -1 when the store cannot be read. NULL: as usage. */
	int (*each)(struct store *s, uint64_t tag,
		    int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx);
	/* Add what max_size's eviction removed in this process since the last
	 * take (entries, disk bytes) to *entries, *disk: the engine's exit adds
	 * them to the stats kept across runs (records.h). NULL: never evicts. */
	void (*take_evicted)(struct store *s, uint64_t *entries, uint64_t *disk);
	void (*free)(struct store *s);
	/* Write out what this process holds back from other processes (the
	 * folder's count of bytes written), the store staying open: at exit,
	 * where other threads may still call. NULL: nothing held back. */
	void (*sync)(struct store *s);
	/* Single flight (flight.c): the lease `lease` (records_lease_key of
	 * entry k), held by `owner` (nonzero, unique per caller). A backend
	 * with servers keeps it on k's server (memcached's _by_key calls), so
	 * that losing a server loses a lease only with its entry, and a lease
	 * and its entry are asked in one request. ttl_ms > 0 takes it, or
	 * takes over one older than ttl_ms (its holder died or overran):
	 * STORE_HIT = taken, STORE_CONFLICT = another owner's lease is live.
	 * ttl_ms == 0 drops it if it is still owner's (STORE_HIT), else
	 * STORE_MISS. ttl_ms == STORE_LEASE_STORED: k's result was just set
	 * by owner: drop the lease in one request, whoever holds it now (one
	 * that passed to another after ours expired guards a result that is
	 * stored already); a backend may check the owner instead. NULL in a
	 * backend without leases: callers then compute without one. */
	int (*lease)(struct store *s, const struct memo_key *k, const struct memo_key *lease,
		     uint64_t owner, int ttl_ms, struct memo_stats *st);
	/* Single flight's lookup: get k as `get` does and, in the same
	 * exchange, its lease: *held (set on STORE_MISS) says STORE_LEASE_FREE,
	 * _OTHER (another's is live) or _OURS. With owner nonzero the lease is
	 * first taken for ttl_ms as `lease` takes it (an `add` pipelined before
	 * the get: still one round trip), so that a miss holds it at once
	 * (_OURS); a hit that took it drops it without waiting for a reply.
	 * NULL where a lease costs no round trip (the folder): callers then
	 * get, and ask the lease apart. */
	int (*get_leased)(struct store *s, const struct memo_key *k, const struct memo_key *lease,
			  uint64_t owner, int ttl_ms, struct membuf *out, int *held,
			  struct memo_stats *st);
	/* Which server of the shared store holds k: 0 .. STORE_SERVERS-1 (the
	 * last one shared by any beyond). NULL: there is one place. Hot path:
	 * no round trip, no allocation. */
	int (*server_of)(struct store *s, const struct memo_key *k);
};

#define STORE_SERVERS 16

#define STORE_LEASE_STORED (-1)	/* `lease`'s ttl_ms: drop after a set */

enum { STORE_LEASE_FREE, STORE_LEASE_OTHER, STORE_LEASE_OURS };	/* get_leased's *held */

struct store {
	const struct store_ops *ops;
	/* Whether the calling thread may use the heap now: store_may_allocate
	 * (set by store_open), for a backend about to allocate on a get's path,
	 * which a signal handler's call may take. NULL: always (the memo command). */
	bool (*may_allocate)(void);
};

/* Signal handlers. A call served inside one (which may have interrupted
 * malloc in this thread) must not allocate. Its caller (call.c) scans for a
 * signal frame (sigframe.h) only when it knows serving needs the heap; the
 * backends allocate in a few more cases it cannot foresee (a value larger
 * than the server sent before, chunks), and ask store_may_allocate first.
 * store_heap_known(true): the caller found no frame, for the call it serves;
 * (false): not known, the first store_may_allocate scans. Per thread, no
 * lock; a stale answer errs only towards refusing. */
void store_heap_known(bool safe);
bool store_may_allocate(void);

/* Keys are used by their text (k->text, k->textlen): a backend never parses
 * it. An entry's key is "m1-" + the 64 hex digits of its hash (key.c). The
 * records libmemo keeps besides results (records.h) have keys of their own:
 * "<tag>-" + 24 hex digits of a hash of the namespace and a name (the flush
 * generation is "g1-..."), and a single-flight lease is "lease1-" + its
 * entry's 64 hex digits. Every key text is [A-Za-z0-9_.-], at most
 * KEY_TEXT_MAX-1 bytes. */

/* Backends. Each returns NULL (and says why on stderr) if it cannot start. */
struct store *store_folder_open(const struct cache_config *c);

/* The folder rules, which every folder libmemo writes into follows (the
 * store's root, the identity cache beside it): made if missing (0700,
 * whatever the umask), repaired if its owner cannot use it (umask 0777),
 * and refused unless it is this user's and not writable by group or others.
 * An fd open on it (its fstat in *sb), or -1, said on stderr when `say`:
 * a refused folder gets nothing written into it. */
int store_folder_root(const char *dir, struct stat *sb, bool say);
/* The same rules where no descriptor is wanted: 0 when dir may be used
 * (made or repaired if it must be), -1 as above. A folder already right
 * costs a stat and a geteuid (start-up checks two: eight system calls
 * through store_folder_root's open, fstat, geteuid and close, now four). */
int store_folder_check(const char *dir, bool say);

/* The memcached backend lives in libmemo-memcached.so, so that processes
 * without `servers` never load libmemcached and its dependencies. It exports
 * this one (default-visibility) symbol: */
#define STORE_MEMCACHED_OPEN_SYM "memo_store_memcached_open"
typedef struct store *store_open_fn(const struct cache_config *c, const struct log_state *voice);
/* The backend's entry point (STORE_MEMCACHED_OPEN_SYM). `voice`: the
 * engine's log state, for the backend's own copy of log.c; NULL where the
 * backend is linked into its caller and shares its voice. */
store_open_fn memo_store_memcached_open;
/* The memo command links the backend in and sets this; libmemo-engine.so
 * (which holds store.c) leaves it NULL, and store_open dlopens
 * libmemo-memcached.so from the engine's own folder. */
extern store_open_fn *store_memcached_opener;

/* Open what the config asks for: folder, memcached, or both layered.
 * NULL when nothing could be opened (libmemo then only calls originals). */
struct store *store_open(const struct cache_config *c);

static inline int store_get(struct store *s, const struct memo_key *k,
			    struct membuf *out, struct memo_stats *st)
{
	return s->ops->get(s, k, out, st);
}

static inline int store_set(struct store *s, const struct memo_key *k,
			    const void *v, size_t n, struct memo_stats *st)
{
	return s->ops->set(s, k, v, n, st);
}

static inline int store_del(struct store *s, const struct memo_key *k,
			    struct memo_stats *st)
{
	return s->ops->del(s, k, st);
}

static inline int store_server_of(struct store *s, const struct memo_key *k)
{
	int i = s->ops->server_of ? s->ops->server_of(s, k) : 0;

	return i < 0 ? 0 : i < STORE_SERVERS ? i : STORE_SERVERS - 1;
}

static inline void store_after_fork(struct store *s)
{
	if (s->ops->after_fork)
		s->ops->after_fork(s);
}

static inline void store_sync(struct store *s)
{
	if (s && s->ops->sync)
		s->ops->sync(s);
}

static inline void store_free(struct store *s)
{
	if (s)
		s->ops->free(s);
}

#endif
