/*
 * small: the folder store's store for small entries, one LMDB file
 * (small2.mdb beside the buckets) instead of a file each, which would take a
 * whole disk block and an open, fstat, pread and close per hit.
 * Called by store_folder.c only; calls LMDB, libc and log. Hot-path safe:
 * a get takes no lock and allocates nothing (each thread keeps a read
 * transaction, reset between gets); any number of threads and processes
 * share one file; after fork the child opens its own environment (LMDB
 * forbids using one across fork) at its first use.
 */
#ifndef MEMO_SMALL_H
#define MEMO_SMALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/membuf.h"

/* The largest value kept here. LMDB keeps a record of up to ~2,000 bytes in
 * a shared 4 KiB page; a larger one gets overflow pages of its own, whole
 * pages as a file gets whole blocks, so files serve those as well. */
#define SMALL_MAX 1536

/* Format 2 (binary keys, entries in order of use): small2.mdb,
 * small2.mdb-lock (LMDB's reader table) and small2.mdb-use (the marks of
 * hits: small_mark). Format 1 (small.mdb, keyed by the
 * key text) is not read: the folder removes it at open (its entries are
 * misses, computed again). */
#define SMALL_FILE "small2.mdb"
#define SMALL_OLD_FILE "small.mdb"

struct small;

/* What a write did besides its entry: how much the file grew (bytes), and
 * what the store evicted to stay within its cap (entries, and the bytes
 * their records took). */
struct small_effect {
	uint64_t grew, evicted, freed;
};

/* Whether a folder on the filesystem of statfs magic `f_type` may hold
 * the small store: not on a network or user-space filesystem, where
 * LMDB's locks and shared memory map do not reach other nodes. */
bool small_fs_local(long f_type);

/* Open (creating) dir/small2.mdb, to take at most `cap` bytes on disk (0:
 * unbounded): NULL, said once on stderr, if it cannot be (the folder then
 * keeps one file per entry); NULL silently under a soft RLIMIT_NOFILE
 * below 256 (util_fd_floor: no descriptor is kept). One environment per
 * file per process (LMDB allows no more): a second open shares it (and
 * the first one's cap). */
struct small *small_open(const char *dir, uint64_t cap);
void small_close(struct small *sm);
void small_after_fork(struct small *sm);	/* in the child */

/* Keys are an entry key's hash (KEY_HASH_BYTES: key.h's memo_key.hash). */

/* The value of key appended to out, and when it was written (wall ns)
 * into *used: STORE_HIT, STORE_MISS or STORE_ERROR. */
int small_get(struct small *sm, const uint8_t *key, struct membuf *out, uint64_t *used);
/* Store (replace) key's value, last used now: 0, or STORE_ERROR (the map
 * is full, among others: the caller writes a file instead). Past the cap,
 * the least recently used entries are evicted first (*eff says). */
int small_put(struct small *sm, const uint8_t *key, const void *val, size_t len, uint64_t now,
	      struct small_effect *eff);
/* Mark key hit at `now` (wall ns): a store into the shared map of marks,
 * no transaction, no lock, no allocation (small.c "A hit older than a
 * minute"). Eviction gives an entry hit since it was written a second
 * chance, and the scans (small_each, small_remove) see it used then. */
void small_mark(struct small *sm, const uint8_t *key, uint64_t now);
/* STORE_HIT (removed), STORE_MISS or STORE_ERROR. */
int small_del(struct small *sm, const uint8_t *key);

/* What one entry of len bytes takes in the file's pages: scans share the
 * file among the entries by it. */
uint64_t small_entry_disk(size_t len);
/* What small2.mdb, its lock file and its marks take in disk blocks. */
uint64_t small_file_disk(const char *dir);

/* Each entry, least recently written (or moved) first, read whole with its
 * key and when last used (written, or hit: its mark); stops at fn's
 * nonzero return and returns it; -1 if it cannot
 * be read. */
int small_each(struct small *sm, int (*fn)(void *ctx, const uint8_t *key, const void *val,
					   size_t len, uint64_t used), void *ctx);
/* Remove each entry for which keep(ctx, ...) is false, a few per write
 * transaction. How many were removed, or -1. */
int64_t small_remove(struct small *sm, bool (*keep)(void *ctx, const uint8_t *key, const void *val,
						    size_t len, uint64_t used), void *ctx);

#endif
