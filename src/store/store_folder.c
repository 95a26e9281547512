/*
 * store_folder: the folder backend of store.h: one file per entry, written
 * atomically, or for small entries one record in small2.mdb (small.c);
 * bounded in size by least-recently-used eviction.
 * Calls libc, libb2 (cas tokens), log, util, small, value (an entry's
 * function tag, for memo stats and memo clear; whether a value's check is a
 * tree) and treehash (a large value hashed as it is read). Hot-path safe: get/set take
 * no lock and allocate only for values larger than the caller's membuf; any
 * number of threads and processes may share one folder; after fork the child
 * only forgets what it has not yet accounted (folder_after_fork).
 *
 * Layout under c->dir (the root; created 0700, must be ours and not writable
 * by group or others, else the store refuses to open). Every folder and file
 * gets its mode whatever the umask; a root, bucket or entry of ours that we
 * cannot read (mode 000: made under umask 0777) is repaired (util_repair_mode),
 * one we may read but not write is read-only by choice, and kept:
 *
 *   ab/KEY          an entry: the value's bytes exactly, mode 0600. `ab` is
 *                   two hex digits of a hash of the key text (256 folders, so
 *                   none grows huge; fewer under a small max_size, below);
 *                   KEY is the key text itself, used as is
 *                   (store.h guarantees [A-Za-z0-9_.-]; we refuse a leading '.').
 *   ab/.t.N.T.S.KEY a temporary file being written (N = per-process nonce,
 *                   T = thread id, S = sequence). Renamed onto ab/KEY when
 *                   complete, so a reader sees the old entry, the new one, or
 *                   none, never a part. A temp left by a killed writer is
 *                   never read, and is removed by a later scan once an hour old.
 *   ab/g1-...       a flush generation (records.h): kept by eviction, and
 *                   not an entry (not in max_size nor in memo stats)
 *   ab/lease1-...   a single-flight lease (see folder_lease below; its key
 *                   is records.h's): 16 hex digits naming its owner.
 *   small2.mdb      entries of up to SMALL_MAX bytes, in one LMDB file, its
 *   small2.mdb-lock readers' table and the marks of its hits (small.h,
 *   small2.mdb-use  ARCHITECTURE.md "Small entries"): not on a network
 *                   filesystem, nor under a max_size below
 *                   SMALL_MIN_BOUND, nor with small_store = no.
 *                   Its entries count in max_size by their share of the
 *                   file; scans and eviction visit it as a 257th bucket.
 *   .buckets        how many buckets the folder has ("8\n"; 256 when absent
 *                   from a folder that has buckets, made before it existed).
 *   .size           the shared estimate of the entries' total size on disk
 *                   (decimal text), and, by flock on it, the right to update
 *                   it: held for a read and a write, never across a scan.
 *                   The right to evict is a flock on the root folder: one
 *                   evictor at a time, others skip (never wait).
 *   stats/, identity/  records.h's stats kept across runs, identity.c's
 *                   cache: not entries (scans visit the 256 buckets only),
 *                   and not counted in max_size.
 *
 * Sizes are on disk: max_size bounds what the entries take (du), not their
 * bytes, since a 104-byte entry takes a whole 4 KiB block. An entry counts
 * max(st_blocks * 512, its size rounded up to the filesystem's block), in
 * the count (fstat of the written temp) and in the scan alike (entry_disk):
 * the rounding covers a filesystem that has not allocated yet (delayed
 * allocation). The folders (the root and its buckets), .size and .buckets
 * take blocks too, and count: a scan adds what they take, and a writer that makes a
 * bucket adds a block. A bucket's block is a lot under a small max_size
 * (256 of 4 KiB are 1 MiB), so there are fewer buckets then: as many, a
 * power of two up to 256, as take at most 1/32 of max_size (8 for 1M,
 * block 4 KiB). The folder's first process decides, and writes the number
 * in .buckets, which every later one reads at open: all find a key in the
 * same bucket, whatever their max_size (folder_layout).
 *
 * Eviction: each process counts the disk bytes it wrote since it last added
 * them to .size (`unsynced`). On its first set, when that reaches a chunk
 * (max_size/16, at most 8 MiB), or when the last known estimate plus it
 * exceeds max_size, it adds
 * them to .size; if the sum exceeds max_size (or .size is missing) and no
 * other process is evicting, it scans
 * every entry and removes the least recently used (oldest mtime first) until
 * the total is under 90% of max_size, then writes back that total plus what
 * others added to .size during the scan (and scans again, up to 4 times,
 * while that is over max_size: those others did not evict). So the
 * folder can overshoot by at most one chunk per writing process, and a scan
 * runs once per ~10% of max_size written. store_sync (the engine's exit) and
 * store_free add what is left, so any number of short processes, each
 * writing less than a chunk, are all counted (one killed before its exit
 * leaves the estimate short by less than a chunk, until the next scan makes
 * it exact again). A hit refreshes the entry's mtime
 * (one futimens) when it is older than a minute: LRU at minute resolution
 * without a metadata write on every hit.
 *
 * gets/cas protocol (repeated evaluations: N processes each doing
 * gets → compute → cas, retried on STORE_CONFLICT, lose no update):
 *   gets reads the entry without a lock; its token is a 64-bit BLAKE2b of the
 *   bytes read (0 = no entry). cas takes flock(LOCK_EX) on the entry's bucket
 *   folder ab/ (waiting at most timeout_ms, else STORE_TIMEOUT), re-reads the
 *   entry, and writes (temp + rename) only if its token still matches, then
 *   unlocks. Compare and replace are thus atomic against every other cas; a
 *   token over content (not inode or mtime) cannot be fooled by a reused
 *   inode, and equal content means the caller's update is still correct.
 *   A plain set does not lock: set is last-writer-wins, and a set racing a
 *   cas may be overwritten by it.
 */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/sigframe.h"
#include "base/util.h"
#include "store/records.h"
#include "store/treehash.h"
#include "store/small.h"
#include "store/value.h"
#include "base/b2.h"

#define SIZE_FILE ".size"
#define LAYOUT_FILE ".buckets"
#define TMP_PREFIX ".t."
#define STALE_TMP_NS (3600ULL * 1000000000ULL)	/* a temp this old is a dead writer's */
#define REFRESH_NS (60ULL * 1000000000ULL)	/* LRU resolution of hits */
#define CHUNK_MAX (8ULL << 20)
/* Under a smaller max_size, small entries are files too: LMDB's file grows
 * past its entries by what copy on write keeps in flight (~60 pages of 4
 * KiB measured with four writers) and never shrinks, a sizeable part of a
 * small bound. */
#define SMALL_MIN_BOUND (16ULL << 20)
/* A folder whose owner lacks these cannot be used at all (made under umask
 * 0777): repaired. One that is only unwritable is meant to be read-only. */
#define DIR_NEED (S_IRUSR | S_IXUSR)
#define LEASE_SKEW_NS 1000000000ULL	/* a lease dated later than this ahead is expired */
#define WARN_ERRNOS 256
/* Until a process has read .size once, its first set does (cheaply), so a
 * process joining a full folder does not write a whole chunk over the bound. */
#define ESTIMATE_UNKNOWN UINT64_MAX

/* Causes of a warning shown once per process (per errno). */
enum folder_op { OP_READ, OP_WRITE, OP_LINK, OP_EVICT, OP_KEY, OP_NOTREG, OP_REPAIR, OP_ROOT,
		OP_COUNT };

struct folder_store {
	struct store base;
	/* The root folder, which every path is relative to: reach it through
	 * root_get and root_put, never directly. Written once at open: */
	int rootfd;		/* kept high (util_fd_high), read-only, CLOEXEC; or -1 */
	dev_t root_dev;		/* what rootfd was when it was opened */
	ino_t root_ino;
	char dir[PATH_MAX];
	uint64_t max_size;	/* 0 = unbounded */
	uint64_t chunk;
	uint64_t block;		/* the filesystem's allocation unit (entry_disk) */
	unsigned buckets;	/* a power of two, at most 256: see "Sizes" above */
	int lock_wait_ms;
	uint64_t nonce;		/* temp-name uniqueness across hosts sharing a folder */
	/* Small entries (small.h), or NULL: one file per entry (a network
	 * filesystem, or LMDB could not open). Written at open and in
	 * after_fork (then small.c reopens at the first use). */
	struct small *small;
	/* Atomics, any thread: */
	uint64_t unsynced;	/* bytes written and not yet added to .size */
	uint64_t estimate;	/* .size as last read or written by us */
	uint64_t tmpseq;
	uint64_t evicted, evicted_disk;	/* by this process, not yet taken (take_evicted) */
	uint8_t warned[OP_COUNT][WARN_ERRNOS];
};

#define FS(s) ((struct folder_store *)(s))

static void stat_err(struct memo_stats *st)
{
	if (st)
		STAT_ADD(st, errors, 1);
}

/* Say it once per process per (operation, errno): a full disk must not print
 * a line per call; every occurrence is still counted in stats->errors. err 0:
 * `what` says it all. */
static void warn_once(struct folder_store *fs, enum folder_op op, int err,
		      const char *what, const char *path)
{
	int e = err > 0 && err < WARN_ERRNOS ? err : WARN_ERRNOS - 1;

	if (__atomic_exchange_n(&fs->warned[op][e], 1, __ATOMIC_RELAXED))
		return;
	log_warn("'%s/%s': %s%s%s (further such %s)", fs->dir, path, what, err ? ": " : "",
		 err ? strerror(err) : "",
		 op == OP_REPAIR ? "repairs are not shown" : "errors are counted, not shown");
}

static uint64_t mtime_ns(const struct stat *st)
{
	return (uint64_t)st->st_mtim.tv_sec * 1000000000ULL + st->st_mtim.tv_nsec;
}

/*
 * The root folder for one operation: root_get, then root_put when done.
 * The kept descriptor (high in the range: util_fd_high) while fstat still
 * finds the folder opened at start (st_dev, st_ino). A program may close it
 * (close_range, a loop closing every fd) and have the number back as one of
 * its own files: that file is then never read, written or closed here, and
 * each operation opens the folder again by its path (absolute: config.c) and
 * closes it after, as it does when nothing could be kept (a soft
 * RLIMIT_NOFILE below 256). A folder opened again is checked as at open: ours,
 * and not writable by group or others. -1 if it cannot be used (said once,
 * counted in st). The kept descriptor is written once, at open: no lock.
 */
static int root_get(struct folder_store *fs, struct memo_stats *st)
{
	struct stat sb;
	int fd = fs->rootfd, err;

	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    sb.st_dev == fs->root_dev && sb.st_ino == fs->root_ino)
		return fd;
	fd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_uid == geteuid() &&
	    !(sb.st_mode & (S_IWGRP | S_IWOTH)))
		return fd;
	err = fd < 0 ? errno : EPERM;
	if (fd >= 0)
		close(fd);
	stat_err(st);
	warn_once(fs, OP_ROOT, err, "cannot open the cache folder again", ".");
	errno = err;
	return -1;
}

/* Closes what root_get opened for one operation; keeps errno. */
static void root_put(struct folder_store *fs, int root)
{
	int saved = errno;

	if (root != fs->rootfd)
		close(root);
	errno = saved;
}

/* What an entry of `size` bytes takes on disk, st_blocks as fstat gave it:
 * the larger of the blocks allocated and the size rounded up to a block. */
static uint64_t entry_disk(const struct folder_store *fs, uint64_t size, uint64_t blocks)
{
	uint64_t rounded = (size + fs->block - 1) / fs->block * fs->block;

	return blocks * 512 > rounded ? blocks * 512 : rounded;
}

/* "ab/KEY" into rel (and the bucket "ab" into bucket). -1 for a key text the
 * store.h contract does not allow (so it cannot name a temp or escape). */
static int entry_path(struct folder_store *fs, const struct memo_key *k,
		      char rel[3 + KEY_TEXT_MAX], char bucket[3], struct memo_stats *st)
{
	uint32_t h = 2166136261U;	/* FNV-1a: cheap, and spreads any text */
	int n = k->textlen;

	if (n < 1 || n >= KEY_TEXT_MAX || k->text[0] == '.')
		goto bad;
	for (int i = 0; i < n; i++) {
		unsigned char c = k->text[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			goto bad;
		h = (h ^ c) * 16777619U;
	}
	h ^= h >> 16;
	/* not snprintf: that was a fifth of a hit's instructions */
	util_hex(bucket, &(uint8_t){ (uint8_t)(h & (fs->buckets - 1)) }, 1);
	rel[0] = bucket[0];
	rel[1] = bucket[1];
	rel[2] = '/';
	memcpy(rel + 3, k->text, n);
	rel[3 + n] = '\0';
	return 0;
bad:
	stat_err(st);
	snprintf(rel, 3 + KEY_TEXT_MAX, "%.*s", n > 0 && n < KEY_TEXT_MAX ? n : 0, k->text);
	warn_once(fs, OP_KEY, EINVAL, "key text not allowed (see store.h)", rel);
	return -1;
}

/* The bucket of rel ("ab/KEY" or "ab"), then the entry, when this user owns
 * them but cannot read them (made under umask 0777): given back u+rwx (u+rw
 * for the entry), said once. Called on EACCES only; whether it repaired. */
static bool repair(struct folder_store *fs, int root, const char *rel)
{
	char bucket[3] = { rel[0], rel[1], 0 };
	bool done = util_repair_mode(root, bucket, DIR_NEED, S_IRWXU, NULL) == 1;

	if (rel[2] == '/' && util_repair_mode(root, rel, S_IRUSR, S_IRUSR | S_IWUSR, NULL) == 1)
		done = true;
	if (done)
		warn_once(fs, OP_REPAIR, 0, "its owner could not use it (made under umask 0777?); "
			  "repaired", rel);
	return done;
}

/* Read n bytes of fd from its start into buf: 0, or -1 (EIO when the
 * file is shorter: entries never shrink, someone tampered). */
static int pread_whole(int fd, uint8_t *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

/* Read all of fd (a regular file of st_size bytes) onto the end of out. */
static int read_all(int fd, off_t size, struct membuf *out)
{
	size_t at = out->len;

	if (size < 0 || membuf_reserve(out, at + (size_t)size) < 0 ||
	    pread_whole(fd, out->data + at, (size_t)size) < 0)
		return -1;
	out->len = at + (size_t)size;
	return 0;
}

/* Read a large value of fd (size bytes, at least a header and TREEHASH_MIN)
 * onto the end of out: its header, then, when its check is over its
 * payload's tree (value_tree_checked), the payload hashed as it is read on
 * every core, its root left in out for value_decode_buf; else as read_all. */
static int read_large(int fd, off_t size, struct membuf *out)
{
	size_t at = out->len, pay = (size_t)size - VALUE_HEADER_SIZE;
	uint8_t *head;

	if (membuf_reserve(out, at + (size_t)size) < 0)
		return -1;
	head = out->data + at;
	if (pread_whole(fd, head, VALUE_HEADER_SIZE) < 0)
		return -1;
	if (!value_tree_checked(head, (uint64_t)size)) {
		out->len = at;
		return read_all(fd, size, out);
	}
	if (treehash_read(fd, VALUE_HEADER_SIZE, head + VALUE_HEADER_SIZE, pay, out->tree) < 0)
		return -1;
	out->len = at + (size_t)size;
	out->tree_from = at + VALUE_HEADER_SIZE;
	out->tree_to = out->len;
	return 0;
}

/* Open, check and read one entry; token (if asked) is over the bytes read. */
static int folder_read(struct folder_store *fs, int root, int dirfd, const char *name,
		       const char *rel, struct membuf *out, uint64_t *token,
		       bool refresh, struct memo_stats *st)
{
	struct stat sb;
	size_t at = out->len;
	int fd, err;

	/* Never blocks: a FIFO or a device at an entry's path is corrupt, and
	 * the set after the call's computation replaces it (rename). For
	 * gets/cas (token asked) it is no entry: the cas expecting none
	 * replaces it the same way, or no running mean could ever be kept. */
	fd = util_open_regular(dirfd, name, O_RDONLY | O_NOFOLLOW, 0, &sb);
	if (fd == -1 && errno == EACCES && repair(fs, root, rel))
		fd = util_open_regular(dirfd, name, O_RDONLY | O_NOFOLLOW, 0, &sb);
	if (fd < 0) {
		err = errno;
		if (fd == -1 && (err == ENOENT || err == ENOTDIR))
			return STORE_MISS;
		stat_err(st);
		if (fd == UTIL_NOT_REGULAR) {
			warn_once(fs, OP_NOTREG, 0, "not a regular file, ignored", rel);
			return token ? STORE_MISS : STORE_ERROR;
		}
		if (err == ELOOP)
			warn_once(fs, OP_LINK, err, "entry is a symbolic link, ignored", rel);
		else
			warn_once(fs, OP_READ, err, "cannot read cache entry", rel);
		return STORE_ERROR;
	}
	if ((!token && sb.st_size >= VALUE_HEADER_SIZE + (off_t)TREEHASH_MIN ?
	     read_large(fd, sb.st_size, out) : read_all(fd, sb.st_size, out)) < 0) {
		err = errno;
		goto fail;
	}
	if (refresh && util_wall_ns() - mtime_ns(&sb) > REFRESH_NS)
		futimens(fd, NULL);
	close(fd);
	if (token) {
		b2((uint8_t *)token, out->data + at, NULL, sizeof *token, out->len - at, 0);
		if (!*token)
			*token = 1;
	}
	if (st)
		STAT_ADD(st, bytes_read, out->len - at);
	return STORE_HIT;
fail:
	close(fd);
	out->len = at;
	out->tree_to = 0;
	stat_err(st);
	warn_once(fs, OP_READ, err, "cannot read cache entry", rel);
	return STORE_ERROR;
}

/* Whether key k may live in the small store: an entry's key (records and
 * leases stay files: see the layout above). */
static bool small_key(const struct folder_store *fs, const struct memo_key *k)
{
	return fs->small && k->textlen > 3 && !memcmp(k->text, "m1-", 3);
}

/* An entry from the small store: STORE_HIT, or STORE_MISS when it is not
 * there (or cannot be read: counted, said once), for its file to answer. */
static int small_read(struct folder_store *fs, const struct memo_key *k, struct membuf *out,
		      uint64_t *token, bool refresh, struct memo_stats *st)
{
	size_t at = out->len;
	uint64_t used;
	int r;

	if (!small_key(fs, k))
		return STORE_MISS;
	r = small_get(fs->small, k->hash, out, &used);
	if (r == STORE_HIT) {
		if (refresh) {
			uint64_t now = util_wall_coarse_ns();

			if (now > used && now - used > REFRESH_NS)
				small_mark(fs->small, k->hash, now);
		}
		if (token) {
			b2((uint8_t *)token, out->data + at, NULL, sizeof *token,
				out->len - at, 0);
			if (!*token)
				*token = 1;
		}
		if (st)
			STAT_ADD(st, bytes_read, out->len - at);
		return r;
	}
	if (r == STORE_ERROR) {
		out->len = at;
		stat_err(st);
		warn_once(fs, OP_READ, EIO, "cannot read the store of small entries", SMALL_FILE);
	}
	return STORE_MISS;
}

/* An entry, from the small store, else from its file (one written before
 * the small store, or too large for it). */
static int entry_read(struct folder_store *fs, int root, int dirfd, const char *name,
		      const char *rel, const struct memo_key *k, struct membuf *out,
		      uint64_t *token, bool refresh, struct memo_stats *st)
{
	if (small_read(fs, k, out, token, refresh, st) == STORE_HIT)
		return STORE_HIT;
	return folder_read(fs, root, dirfd, name, rel, out, token, refresh, st);
}

static int folder_get(struct store *s, const struct memo_key *k,
		      struct membuf *out, struct memo_stats *st)
{
	char rel[3 + KEY_TEXT_MAX], bucket[3];
	int root, r;

	/* a hit in the small store needs no folder (no fstat of the root) nor
	 * file name: it is keyed by the key's hash */
	if (small_read(FS(s), k, out, NULL, true, st) == STORE_HIT)
		return STORE_HIT;
	if (entry_path(FS(s), k, rel, bucket, st) < 0 || (root = root_get(FS(s), st)) < 0)
		return STORE_ERROR;
	r = folder_read(FS(s), root, root, rel, rel, out, NULL, true, st);
	root_put(FS(s), root);
	return r;
}

static int folder_gets(struct store *s, const struct memo_key *k,
		       struct membuf *out, uint64_t *token, struct memo_stats *st)
{
	char rel[3 + KEY_TEXT_MAX], bucket[3];
	int root, r;

	*token = 0;
	if (entry_path(FS(s), k, rel, bucket, st) < 0 || (root = root_get(FS(s), st)) < 0)
		return STORE_ERROR;
	r = entry_read(FS(s), root, root, rel, rel, k, out, token, true, st);
	root_put(FS(s), root);
	if (r != STORE_HIT)
		*token = 0;
	return r;
}

static void folder_account(struct folder_store *fs, int root, uint64_t n);

static int write_all(int fd, const void *val, size_t len)
{
	const uint8_t *p = val;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= w;
	}
	return 0;
}

/* The atomic write: a unique temp in the entry's bucket, then rename. On any
 * failure the temp is removed; the old entry (if any) stays intact. */
static int folder_write(struct folder_store *fs, int root, const char *rel,
			const char *bucket, const void *val, size_t len,
			struct memo_stats *st)
{
	char tmp[64 + KEY_TEXT_MAX];
	struct stat sb;
	uint64_t made = 0;	/* the bucket's block, if this made it */
	int fd = -1, err, tries;

	for (tries = 0; tries < 4; tries++) {
		uint64_t seq = __atomic_fetch_add(&fs->tmpseq, 1, __ATOMIC_RELAXED);

		snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "%" PRIx64 ".%d.%" PRIu64 ".%s",
			 bucket, fs->nonce, (int)gettid(), seq, rel + 3);
		fd = openat(root, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno == EACCES && !tries && repair(fs, root, rel))
			continue;
		if (errno == ENOENT) {
			if (util_mkdirat(root, bucket, 0700) == 0)
				made += fs->block;	/* max_size counts its block */
			else if (errno != EEXIST)
				break;
			continue;
		}
		if (errno != EEXIST)
			break;
	}
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	if (write_all(fd, val, len) < 0) {
		err = errno;
		close(fd);
		goto fail_unlink;
	}
	if (fstat(fd, &sb) < 0) {
		sb.st_blocks = 0;	/* entry_disk rounds the size up instead */
		sb.st_mode = 0;
	}
	if ((sb.st_mode & 0600) != 0600)	/* a umask took them: we read it back */
		fchmod(fd, 0600);
	if (close(fd) < 0) {	/* NFS and quotas may report here */
		err = errno;
		goto fail_unlink;
	}
	if (renameat(root, tmp, root, rel) < 0) {
		err = errno;
		goto fail_unlink;
	}
	if (st)
		STAT_ADD(st, bytes_written, len);
	folder_account(fs, root, entry_disk(fs, len, (uint64_t)sb.st_blocks) + made);
	return 0;
fail_unlink:
	unlinkat(root, tmp, 0);
fail:
	stat_err(st);
	warn_once(fs, OP_WRITE, err, "cannot write cache entry", rel);
	return STORE_ERROR;
}

/* An entry, into the small store when it fits (its file from before
 * removed, so that it neither shadows nor takes space), else into its file
 * (its copy in the small store removed: the file is newer). A small store
 * that fails (its map full, among others) leaves the entry to a file. */
static int entry_write(struct folder_store *fs, int root, const char *rel, const char *bucket,
		       const struct memo_key *k, const void *val, size_t len,
		       struct memo_stats *st)
{
	struct small_effect eff;
	int r;

	if (small_key(fs, k) && len <= SMALL_MAX &&
	    small_put(fs->small, k->hash, val, len, util_wall_ns(), &eff) == 0) {
		unlinkat(root, rel, 0);
		if (st)
			STAT_ADD(st, bytes_written, len);
		if (eff.evicted) {	/* the small store's cap (small.c) */
			__atomic_add_fetch(&fs->evicted, eff.evicted, __ATOMIC_RELAXED);
			__atomic_add_fetch(&fs->evicted_disk, eff.freed, __ATOMIC_RELAXED);
		}
		/* its file counts whole (see scan_small): only its growth is new */
		if (eff.grew)
			folder_account(fs, root, eff.grew);
		return 0;
	}
	r = folder_write(fs, root, rel, bucket, val, len, st);
	if (r == 0 && small_key(fs, k))
		small_del(fs->small, k->hash);
	return r;
}

static int folder_set(struct store *s, const struct memo_key *k, const void *val,
		      size_t len, struct memo_stats *st)
{
	char rel[3 + KEY_TEXT_MAX], bucket[3];
	int root, r;

	if (entry_path(FS(s), k, rel, bucket, st) < 0 || (root = root_get(FS(s), st)) < 0)
		return STORE_ERROR;
	r = entry_write(FS(s), root, rel, bucket, k, val, len, st);
	root_put(FS(s), root);
	return r;
}

static int cas_at(struct folder_store *fs, int root, const char *rel, const char *bucket,
		  const struct memo_key *k, const void *val, size_t len, uint64_t token,
		  struct memo_stats *st)
{
	uint8_t space[4096];
	struct membuf cur;
	uint64_t now_token = 0;
	int bfd, r;

	bfd = openat(root, bucket, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0 && errno == EACCES && repair(fs, root, bucket))
		bfd = openat(root, bucket, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0 && errno == ENOENT) {
		if (util_mkdirat(root, bucket, 0700) < 0 && errno != EEXIST) {
			stat_err(st);
			warn_once(fs, OP_WRITE, errno, "cannot create cache folder", bucket);
			return STORE_ERROR;
		}
		bfd = openat(root, bucket, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (bfd < 0) {
		stat_err(st);
		warn_once(fs, OP_WRITE, errno, "cannot open cache folder", bucket);
		return STORE_ERROR;
	}
	if (util_flock_bounded(bfd, fs->lock_wait_ms) < 0) {
		int err = errno;

		close(bfd);
		if (err == ETIMEDOUT) {
			if (st)
				STAT_ADD(st, timeouts, 1);
			return STORE_TIMEOUT;
		}
		stat_err(st);
		warn_once(fs, OP_WRITE, err, "cannot lock cache folder", bucket);
		return STORE_ERROR;
	}
	membuf_init(&cur, space, sizeof space);
	r = entry_read(fs, root, bfd, rel + 3, rel, k, &cur, &now_token, false, NULL);
	membuf_release(&cur);
	if (r == STORE_ERROR) {
		stat_err(st);
	} else if (now_token != token) {
		r = STORE_CONFLICT;
	} else {
		r = entry_write(fs, root, rel, bucket, k, val, len, st);
	}
	close(bfd);	/* releases the lock, after the rename */
	return r;
}

static int folder_cas(struct store *s, const struct memo_key *k, const void *val,
		      size_t len, uint64_t token, struct memo_stats *st)
{
	char rel[3 + KEY_TEXT_MAX], bucket[3];
	int root, r;

	if (entry_path(FS(s), k, rel, bucket, st) < 0 || (root = root_get(FS(s), st)) < 0)
		return STORE_ERROR;
	r = cas_at(FS(s), root, rel, bucket, k, val, len, token, st);
	root_put(FS(s), root);
	return r;
}

static int folder_del(struct store *s, const struct memo_key *k,
		      struct memo_stats *st)
{
	struct folder_store *fs = FS(s);
	char rel[3 + KEY_TEXT_MAX], bucket[3];
	int root, r, err, rs = STORE_MISS;

	if (entry_path(FS(s), k, rel, bucket, st) < 0 || (root = root_get(fs, st)) < 0)
		return STORE_ERROR;
	if (small_key(fs, k) && (rs = small_del(fs->small, k->hash)) == STORE_ERROR) {
		stat_err(st);
		warn_once(fs, OP_WRITE, EIO, "cannot delete from the store of small entries",
			  SMALL_FILE);
	}
	r = unlinkat(root, rel, 0);
	err = errno;
	root_put(fs, root);
	if (r == 0 || rs == STORE_HIT)
		return STORE_HIT;
	if (err == ENOENT || err == ENOTDIR)
		return STORE_MISS;
	stat_err(st);
	warn_once(fs, OP_WRITE, err, "cannot delete cache entry", rel);
	return STORE_ERROR;
}

/* --- size accounting and eviction (not on the hot path: amortized) --- */

struct scan {
	uint64_t entries, bytes, disk, oldest, newest, stale_tmps;
	uint64_t *mtimes;	/* with disk sizes interleaved: mtime, disk, mtime, ... */
	size_t n, cap;
	bool oom;
	/* Only the entries of this function (value.h's tag), both passes: 0 any */
	uint64_t only_tag;
	/* pass 1: each entry's tag and sizes (memo stats), if set */
	void (*each)(void *ctx, uint64_t tag, uint64_t bytes, uint64_t disk);
	void *ctx;
	uint64_t small_scale;	/* the small store's files over its records, 1/1024ths */
	uint64_t small_rest;	/* the small store's files when no entry shares them */
	/* pass 2 (small_remove's keep): */
	uint64_t cutoff, *ties, *freed, *evicted;
};

/* Pass 1: count one entry, last used at m, and keep (m, disk) for the sort. */
static void scan_add(struct scan *sc, uint64_t m, uint64_t size, uint64_t disk)
{
	sc->entries++;
	sc->bytes += size;
	sc->disk += disk;
	if (!sc->oldest || m < sc->oldest)
		sc->oldest = m;
	if (m > sc->newest)
		sc->newest = m;
	if (!sc->mtimes || sc->oom)
		return;
	if (sc->n + 2 > sc->cap) {
		size_t nc = sc->cap ? sc->cap * 2 : 4096;
		uint64_t *p = realloc(sc->mtimes, nc * sizeof *p);

		if (!p) {
			sc->oom = true;
			return;
		}
		sc->mtimes = p;
		sc->cap = nc;
	}
	sc->mtimes[sc->n++] = m;
	sc->mtimes[sc->n++] = disk;
}

/* Whose value an entry holds (value.h's tag, read unverified: to count and
 * clear, never to serve); 0 when not known. */
static uint64_t entry_tag(int dfd, const char *name, uint64_t size)
{
	uint8_t head[8], tail[8];
	uint64_t tag = 0;
	int fd = util_open_regular(dfd, name, O_RDONLY | O_NOFOLLOW, 0, NULL);

	if (fd < 0)
		return 0;
	if (size >= 16 && pread(fd, head, 8, 0) == 8 && pread(fd, tail, 8, size - 8) == 8)
		tag = value_tag(head, size, tail);
	close(fd);
	return tag;
}

/* Visit every entry of bucket b. pass 1 (cutoff == 0) collects; pass 2
 * removes entries older than cutoff, and `*ties` of those exactly at it. */
static void scan_bucket(struct folder_store *fs, int root, int b, struct scan *sc,
			uint64_t cutoff, uint64_t *ties, uint64_t *freed,
			uint64_t *evicted, bool collect, bool clean)
{
	char name[3];
	struct dirent *de;
	uint64_t now = util_wall_ns();
	DIR *d;
	int dfd;

	util_hex(name, &(uint8_t){ (uint8_t)b }, 1);
	dfd = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat sb;
		uint64_t m, disk;

		if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		m = mtime_ns(&sb);
		if (de->d_name[0] == '.') {
			if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) &&
			    S_ISREG(sb.st_mode) && m < now && now - m > STALE_TMP_NS) {
				if (clean)
					unlinkat(dfd, de->d_name, 0);
				sc->stale_tmps++;
			}
			continue;
		}
		if (!S_ISREG(sb.st_mode) || records_kept(de->d_name))
			continue;
		disk = entry_disk(fs, (uint64_t)sb.st_size, (uint64_t)sb.st_blocks);
		if (sc->only_tag || (collect && sc->each)) {
			uint64_t tag = entry_tag(dfd, de->d_name, (uint64_t)sb.st_size);

			if (sc->only_tag && tag != sc->only_tag)
				continue;
			if (collect && sc->each)
				sc->each(sc->ctx, tag, (uint64_t)sb.st_size, disk);
		}
		if (collect) {
			scan_add(sc, m, (uint64_t)sb.st_size, disk);
		} else if (m < cutoff || (m == cutoff && *ties)) {
			if (unlinkat(dfd, de->d_name, 0) == 0) {
				if (m == cutoff)
					(*ties)--;
				*freed += disk;
				(*evicted)++;
			}
		}
	}
	closedir(d);
}

static uint64_t small_tag(const void *val, size_t len)
{
	return len >= 16 ? value_tag(val, len, (const uint8_t *)val + len - 8) : 0;
}

static uint64_t small_disk(const struct scan *sc, size_t len)
{
	return small_entry_disk(len) * sc->small_scale / 1024;
}

static int small_collect(void *ctx, const uint8_t *key, const void *val, size_t len,
			 uint64_t used)
{
	struct scan *sc = ctx;
	uint64_t tag = sc->only_tag || sc->each ? small_tag(val, len) : 0;

	(void)key;
	if (sc->only_tag && tag != sc->only_tag)
		return 0;
	/* the scale is known at the end: the disk of each is counted then */
	if (sc->each)
		sc->each(sc->ctx, tag, len, small_entry_disk(len));
	scan_add(sc, used, len, small_entry_disk(len));
	return 0;
}

/* Pass 1 over the small store: as scan_bucket's. Its entries share what
 * its files take on disk (du), each by its size: LMDB's file never shrinks
 * (freed pages are reused by later entries), so removing entries makes
 * room for as many as they took, and the file counts whole in max_size. */
static void scan_small(struct folder_store *fs, struct scan *sc)
{
	uint64_t disk0 = sc->disk, file, sum;
	size_t n0 = sc->n;

	if (!fs->small)
		return;
	if (small_each(fs->small, small_collect, sc) < 0) {
		warn_once(fs, OP_EVICT, EIO, "cannot read the store of small entries", SMALL_FILE);
		return;
	}
	sum = sc->disk - disk0;
	file = small_file_disk(fs->dir);
	sc->small_scale = sum ? file * 1024 / sum : 1024;
	sc->small_rest = sum ? 0 : file;	/* no entry to share it */
	sc->disk = disk0 + sum * sc->small_scale / 1024;
	for (size_t i = n0; sc->mtimes && !sc->oom && i < sc->n; i += 2)
		sc->mtimes[i + 1] = sc->mtimes[i + 1] * sc->small_scale / 1024;
}

/* Pass 2 over the small store (small_remove): keep what scan_bucket keeps. */
static bool small_keep(void *ctx, const uint8_t *key, const void *val, size_t len,
		       uint64_t used)
{
	struct scan *sc = ctx;

	(void)key;
	if (sc->only_tag && small_tag(val, len) != sc->only_tag)
		return true;
	if (used > sc->cutoff || (used == sc->cutoff && !*sc->ties))
		return true;
	if (used == sc->cutoff)
		(*sc->ties)--;
	*sc->freed += small_disk(sc, len);
	(*sc->evicted)++;
	return false;
}

static int cmp_mtime(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* What the root, its 256 possible buckets, .size and .buckets take on disk
 * (see "Sizes" above). */
static uint64_t folders_disk(int root)
{
	struct stat sb;
	char name[3];
	uint64_t n = 0;

	if (fstat(root, &sb) == 0)
		n += (uint64_t)sb.st_blocks * 512;
	if (fstatat(root, SIZE_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		n += (uint64_t)sb.st_blocks * 512;
	if (fstatat(root, LAYOUT_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		n += (uint64_t)sb.st_blocks * 512;
	for (int b = 0; b < 256; b++) {
		util_hex(name, &(uint8_t){ (uint8_t)b }, 1);
		if (fstatat(root, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode))
			n += (uint64_t)sb.st_blocks * 512;
	}
	return n;
}

/* Scan everything (or the entries of one function: tag, else 0); when the
 * entries, with the folders and .size if `folders` (max_size counts them:
 * see "Sizes" above; memo evict --to does not), take more than `over` on
 * disk, or some were last used before `before` (wall ns; 0: no such rule),
 * remove the least recently used: every one used before `before`, and more
 * until what is left takes at most `target`. Returns the disk bytes left (of
 * those scanned, and the folders if counted); what it removed into *evicted
 * and *freed. Caller holds evict_lock. */
static uint64_t folder_evict(struct folder_store *fs, int root, uint64_t over, uint64_t target,
			     uint64_t before, uint64_t tag, bool folders, uint64_t *evicted,
			     uint64_t *freed)
{
	struct scan sc = { .only_tag = tag };
	uint64_t total, need, got = 0, cutoff = 0, ties = 0;
	size_t i;

	*evicted = *freed = 0;
	sc.mtimes = malloc(4096 * sizeof *sc.mtimes);
	sc.cap = sc.mtimes ? 4096 : 0;
	for (int b = 0; b < 256; b++)
		scan_bucket(fs, root, b, &sc, 0, NULL, NULL, NULL, true, true);
	scan_small(fs, &sc);
	total = sc.disk + (folders ? folders_disk(root) + sc.small_rest : 0);
	if ((total <= over && (!before || !sc.n || sc.oldest >= before)) || !sc.mtimes ||
	    sc.oom) {
		if (total > over || sc.oom)
			warn_once(fs, OP_EVICT, ENOMEM, "cannot evict", SIZE_FILE);
		free(sc.mtimes);
		return total;
	}
	/* Sort (mtime, disk size) pairs by mtime; find the cutoff that frees enough. */
	qsort(sc.mtimes, sc.n / 2, 2 * sizeof *sc.mtimes, cmp_mtime);
	need = total > target ? total - target : 0;
	for (i = 0; i < sc.n && (got < need || sc.mtimes[i] < before); i += 2) {
		got += sc.mtimes[i + 1];
		cutoff = sc.mtimes[i];
	}
	for (size_t j = 0; j < i; j += 2)
		if (sc.mtimes[j] == cutoff)
			ties++;
	free(sc.mtimes);
	for (int b = 0; i && b < 256; b++)
		scan_bucket(fs, root, b, &sc, cutoff, &ties, freed, evicted, false, false);
	if (i && fs->small) {
		uint64_t was_freed = *freed, was_evicted = *evicted;

		sc.cutoff = cutoff;
		sc.ties = &ties;
		sc.freed = freed;
		sc.evicted = evicted;
		if (small_remove(fs->small, small_keep, &sc) < 0) {	/* nothing removed */
			*freed = was_freed;
			*evicted = was_evicted;
			warn_once(fs, OP_EVICT, EIO, "cannot evict from the store of small entries",
				  SMALL_FILE);
		}
	}
	return total > *freed ? total - *freed : 0;
}

/* .size (fd, locked): its total, and whether it is one (a number and a
 * newline; a missing or torn file is not, and makes this sync scan). */
static bool size_read(int fd, uint64_t *total)
{
	char buf[32], *end;
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	*total = 0;
	if (n <= 0)
		return false;
	buf[n] = 0;
	*total = strtoull(buf, &end, 10);
	return end != buf && *end == '\n';
}

static void size_write(struct folder_store *fs, int fd, uint64_t total)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%" PRIu64 "\n", total);

	if (pwrite(fd, buf, n, 0) != n || ftruncate(fd, n) < 0)
		warn_once(fs, OP_EVICT, errno, "cannot write the size file", SIZE_FILE);
	__atomic_store_n(&fs->estimate, total, __ATOMIC_RELAXED);
}

/* The right to evict: flock on a descriptor of the root folder of its own
 * (flock is per open file, so threads of one process exclude each other
 * too). One evictor at a time; others skip, never wait (wait_ms 0), but the
 * memo command waits a while for its turn. -1: not ours. */
static int evict_lock(int root, int wait_ms)
{
	int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && util_flock_bounded(fd, wait_ms) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Scans one sync makes at most: others that keep writing while it scans
 * are left to a later sync (theirs or its own). */
#define EVICT_ROUNDS 4

/* Add this process's unsynced bytes to .size, and evict when over the bound.
 * On a set it never waits: if another process holds .size, the bytes stay
 * unsynced and are added on a later set. At store_sync and store_free it
 * waits (bounded), since there is no later set; .size is never held across
 * a scan, so that wait is short. */
static void folder_sync(struct folder_store *fs, int root, bool wait)
{
	struct stat sb;
	uint64_t total, u, now, left, evicted, freed;
	bool known;
	int fd, efd = -1;

	fd = util_open_regular(root, SIZE_FILE, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, &sb);
	if (fd == -1 && errno == EACCES &&
	    util_repair_mode(root, SIZE_FILE, S_IRUSR, S_IRUSR | S_IWUSR, NULL) == 1)
		fd = util_open_regular(root, SIZE_FILE, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, &sb);
	if (fd == UTIL_NOT_REGULAR) {
		/* A FIFO or such in our folder: replaced, else no eviction ever */
		warn_once(fs, OP_EVICT, 0, "not a regular file, replaced", SIZE_FILE);
		if (unlinkat(root, SIZE_FILE, 0) == 0 || errno == ENOENT)
			fd = util_open_regular(root, SIZE_FILE,
					       O_RDWR | O_CREAT | O_NOFOLLOW, 0600, &sb);
	}
	if (fd < 0) {
		warn_once(fs, OP_EVICT, errno, "cannot open the size file", SIZE_FILE);
		return;
	}
	if ((sb.st_mode & 0600) != 0600)	/* just made under umask 0777 */
		fchmod(fd, sb.st_mode | 0600);
	if (wait ? util_flock_bounded(fd, fs->lock_wait_ms) < 0 : flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return;
	}
	u = __atomic_exchange_n(&fs->unsynced, 0, __ATOMIC_RELAXED);
	known = size_read(fd, &total);
	total += u;
	size_write(fs, fd, total);
	/* Over the bound: the scan allocates, so a set made inside a signal
	 * handler (which may have interrupted malloc) leaves it to a later set */
	if ((known && total <= fs->max_size) || sigframe_in_handler() ||
	    (efd = evict_lock(root, 0)) < 0) {
		close(fd);	/* over the bound with an evictor at work: it counts ours */
		return;
	}
	/* The scan runs with .size released, so others' counts (at their exit
	 * too) never wait for a scan. What they add meanwhile is added to what
	 * the scan leaves: an entry both scanned and added counts twice until
	 * the next scan (over the truth, never under). They left their
	 * eviction to this one (above): when what they added takes the folder
	 * over the bound again, it scans again (writers that finished while it
	 * scanned would otherwise leave the folder over, t0304). */
	for (int round = 0;; round++) {
		flock(fd, LOCK_UN);
		left = folder_evict(fs, root, fs->max_size, fs->max_size / 10 * 9, 0, 0, true,
				    &evicted, &freed);
		if (evicted)
			log_info("'%s': evicted %" PRIu64 " entries (%" PRIu64 " bytes on disk) to "
				 "stay under max_size", fs->dir, evicted, freed);
		__atomic_add_fetch(&fs->evicted, evicted, __ATOMIC_RELAXED);
		__atomic_add_fetch(&fs->evicted_disk, freed, __ATOMIC_RELAXED);
		if (util_flock_bounded(fd, fs->lock_wait_ms) < 0)
			break;
		if (size_read(fd, &now) && now > total)
			left += now - total;
		size_write(fs, fd, left);
		if (left <= fs->max_size || round == EVICT_ROUNDS - 1)
			break;
		total = left;
	}
	/* The right to evict goes first: a count that takes .size after this
	 * one lets go of it may then evict what it adds itself. */
	close(efd);
	close(fd);
}

static void folder_account(struct folder_store *fs, int root, uint64_t n)
{
	uint64_t u, est;

	if (!fs->max_size)
		return;
	u = __atomic_add_fetch(&fs->unsynced, n, __ATOMIC_RELAXED);
	est = __atomic_load_n(&fs->estimate, __ATOMIC_RELAXED);
	if (u >= fs->chunk || est == ESTIMATE_UNKNOWN || est + u > fs->max_size)
		folder_sync(fs, root, false);
}

static void folder_after_fork(struct store *s)
{
	/* The parent accounts for what it wrote; the child starts from zero.
	 * Warnings already shown stay shown: the child writes to the same stderr. */
	__atomic_store_n(&FS(s)->unsynced, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&FS(s)->evicted, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&FS(s)->evicted_disk, 0, __ATOMIC_RELAXED);
	if (FS(s)->small)
		small_after_fork(FS(s)->small);
}

static void folder_take_evicted(struct store *s, uint64_t *entries, uint64_t *disk)
{
	*entries += __atomic_exchange_n(&FS(s)->evicted, 0, __ATOMIC_RELAXED);
	*disk += __atomic_exchange_n(&FS(s)->evicted_disk, 0, __ATOMIC_RELAXED);
}

static void print_time(FILE *out, const char *label, uint64_t ns)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;
	char buf[64];

	if (!ns || !localtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, sizeof buf, "-");
	fprintf(out, "  %-8s %s\n", label, buf);
}

static int folder_usage(struct store *s, struct store_usage *u,
			void (*each)(void *ctx, uint64_t tag, uint64_t bytes, uint64_t disk),
			void *ctx)
{
	struct folder_store *fs = FS(s);
	struct scan sc = { .each = each, .ctx = ctx };
	int root = root_get(fs, NULL);

	if (root < 0)
		return -1;
	for (int b = 0; b < 256; b++)
		scan_bucket(fs, root, b, &sc, 0, NULL, NULL, NULL, true, false);
	scan_small(fs, &sc);
	root_put(fs, root);
	*u = (struct store_usage){ sc.entries, sc.bytes, sc.disk, fs->max_size, sc.oldest,
				   sc.newest, sc.stale_tmps };
	return 0;
}

/* Each entry of one bucket: store_ops.each. */
static int each_in_bucket(int root, int b, uint64_t tag,
			  int (*fn)(void *ctx, const char *key, const void *val, size_t len),
			  void *ctx, struct membuf *buf)
{
	char name[3];
	struct dirent *de;
	DIR *d;
	int dfd, r = 0;

	util_hex(name, &(uint8_t){ (uint8_t)b }, 1);
	dfd = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	while (!r && (de = readdir(d))) {
		struct stat sb;
		int fd;

		if (de->d_name[0] == '.')	/* a writer's temporary file */
			continue;
		fd = util_open_regular(dfd, de->d_name, O_RDONLY | O_NOFOLLOW, 0, &sb);
		if (fd < 0)
			continue;	/* gone since readdir: evicted */
		buf->len = 0;
		if (read_all(fd, sb.st_size, buf) == 0 &&
		    (!tag || (buf->len >= 16 &&
			      value_tag(buf->data, buf->len, buf->data + buf->len - 8) == tag)))
			r = fn(ctx, de->d_name, buf->data, buf->len);
		close(fd);
	}
	closedir(d);
	return r;
}

struct each_small {
	uint64_t tag;
	int (*fn)(void *ctx, const char *key, const void *val, size_t len);
	void *ctx;
};

static int each_small(void *ctx, const uint8_t *key, const void *val, size_t len,
		      uint64_t used)
{
	struct each_small *e = ctx;
	char text[4 + 2 * KEY_HASH_BYTES] = "m1-";	/* key.c's text of the hash */

	(void)used;
	if (e->tag && small_tag(val, len) != e->tag)
		return 0;
	util_hex(text + 3, key, KEY_HASH_BYTES);
	return e->fn(e->ctx, text, val, len);
}

static int folder_each(struct store *s, uint64_t tag,
		       int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx)
{
	struct folder_store *fs = FS(s);
	uint8_t space[4096];
	struct membuf buf;
	int root = root_get(fs, NULL), r = 0;

	if (root < 0)
		return -1;
	membuf_init(&buf, space, sizeof space);
	if (fs->small)
		r = small_each(fs->small, each_small, &(struct each_small){ tag, fn, ctx });
	for (int b = 0; b < 256 && !r; b++)
		r = each_in_bucket(root, b, tag, fn, ctx, &buf);
	membuf_release(&buf);
	root_put(fs, root);
	return r;
}

static void folder_report(struct store *s, FILE *out)
{
	struct folder_store *fs = FS(s);
	struct store_usage u = { 0 };
	char disk[16], bytes[16], max[16];

	folder_usage(s, &u, NULL, NULL);
	util_human_size(disk, sizeof disk, u.disk);
	util_human_size(bytes, sizeof bytes, u.bytes);
	util_human_size(max, sizeof max, fs->max_size);
	fprintf(out, "folder store '%s'\n", fs->dir);
	fprintf(out, "  %-8s %s", "on disk", disk);
	if (fs->max_size)
		fprintf(out, " of max_size %s (%.1f%%)\n", max, 100.0 * u.disk / fs->max_size);
	else
		fprintf(out, " (no max_size)\n");
	fprintf(out, "  %-8s %" PRIu64 " (%s of values)\n", "entries", u.entries, bytes);
	print_time(out, "oldest", u.oldest_ns);
	print_time(out, "newest", u.newest_ns);
	if (u.stale)
		fprintf(out, "  %-8s %" PRIu64 " (left by killed writers; removed at the next eviction)\n",
			"stale", u.stale);
}

/* memo clear, memo evict (store.h `trim`): an eviction of the command's
 * choosing, waiting for its turn (a second), then .size made what the scan
 * found (plus what others added meanwhile, as folder_sync does). */
static int folder_trim(struct store *s, uint64_t before_ns, uint64_t to_disk, uint64_t tag,
		       uint64_t *removed, uint64_t *freed)
{
	struct folder_store *fs = FS(s);
	uint64_t was = 0, now, left;
	int root, efd, sfd;
	bool known;

	*removed = *freed = 0;
	if ((root = root_get(fs, NULL)) < 0)
		return -1;
	if ((efd = evict_lock(root, 1000)) < 0) {
		root_put(fs, root);
		return -1;
	}
	sfd = util_open_regular(root, SIZE_FILE, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, NULL);
	known = sfd >= 0 && util_flock_bounded(sfd, fs->lock_wait_ms) == 0 && size_read(sfd, &was);
	if (sfd >= 0)
		flock(sfd, LOCK_UN);
	left = folder_evict(fs, root, to_disk, to_disk, before_ns, tag, false, removed, freed) +
	       folders_disk(root);
	if (tag) {	/* what is left of the others too */
		struct store_usage u;

		left = folder_usage(s, &u, NULL, NULL) == 0 ? u.disk + folders_disk(root) : left;
	}
	if (sfd >= 0 && util_flock_bounded(sfd, fs->lock_wait_ms) == 0) {
		if (known && size_read(sfd, &now) && now > was)
			left += now - was;
		size_write(fs, sfd, left);
	}
	if (sfd >= 0)
		close(sfd);
	close(efd);
	root_put(fs, root);
	return 0;
}

/* At exit (store_sync): what this process wrote since its last sync goes
 * into .size, waiting (bounded) for the lock, since no later set will. */
static void folder_sync_op(struct store *s)
{
	struct folder_store *fs = FS(s);
	int root;

	if (!fs->max_size || !__atomic_load_n(&fs->unsynced, __ATOMIC_RELAXED) ||
	    (root = root_get(fs, NULL)) < 0)
		return;
	folder_sync(fs, root, true);
	root_put(fs, root);
}

static void folder_free(struct store *s)
{
	struct folder_store *fs = FS(s);

	int root = root_get(fs, NULL);

	if (root >= 0 && fs->max_size && __atomic_load_n(&fs->unsynced, __ATOMIC_RELAXED))
		folder_sync(fs, root, true);
	if (root >= 0) {
		root_put(fs, root);	/* one opened for this call */
		if (root == fs->rootfd)
			close(root);	/* the kept one: closed only while it is still ours */
	}
	if (fs->small)
		small_close(fs->small);
	free(s);
}

/* --- single flight leases (store.h `lease`) ---
 * A lease is the file ab/KEY of a record key (never an entry's key), made
 * with O_EXCL, so exactly one creator wins. It holds its owner (16 hex
 * digits); its mtime is when it was taken, so a lease older than the taker's
 * ttl is a dead (or overrunning) holder's and is taken over. So is a lease
 * dated more than LEASE_SKEW_NS in the future (a clock set back, a touch):
 * counted as live, it would make every caller wait out its whole wait for as
 * long as that future lasts; the second of slack keeps a lease just taken on
 * a host whose clock runs a little ahead (a shared folder) live. Anything but
 * a regular file there (a FIFO) is expired too, and never opened. Taking over and
 * dropping run under the bucket's flock, as cas does: a stale lease passes to
 * exactly one taker, and a holder never deletes a lease that passed to
 * another. Creating a missing lease needs no lock (O_EXCL decides).
 */
static int lease_create(int root, const char *rel, const char *bucket,
			uint64_t owner)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	char text[17];
	int fd, err;

	fd = openat(root, rel, flags, 0600);
	if (fd < 0 && errno == ENOENT &&
	    (util_mkdirat(root, bucket, 0700) == 0 || errno == EEXIST))
		fd = openat(root, rel, flags, 0600);
	if (fd < 0)
		return errno == EEXIST ? STORE_CONFLICT : STORE_ERROR;
	fchmod(fd, 0600);	/* whatever the umask: its holder reads it to drop it */
	snprintf(text, sizeof text, "%016" PRIx64, owner);
	if (write_all(fd, text, 16) < 0) {
		err = errno;
		close(fd);
		unlinkat(root, rel, 0);
		errno = err;
		return STORE_ERROR;
	}
	close(fd);
	return STORE_HIT;
}

/* Under the bucket lock: replace the lease if it is still the stale one the
 * caller saw (`seen`), or drop it if it is still owner's. */
static int lease_locked(int root, const char *rel, const char *bucket,
			uint64_t owner, const struct stat *seen)
{
	char text[17], want[17];
	struct stat sb;
	ssize_t n;
	int fd;

	if (seen) {
		if (fstatat(root, rel, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (sb.st_ino != seen->st_ino || mtime_ns(&sb) != mtime_ns(seen)))
			return STORE_CONFLICT;	/* another taker was first */
		if (unlinkat(root, rel, 0) < 0 && errno != ENOENT)
			return STORE_ERROR;
		return lease_create(root, rel, bucket, owner);
	}
	fd = util_open_regular(root, rel, O_RDONLY | O_NOFOLLOW, 0, NULL);
	if (fd < 0)	/* not a regular file: not ours, and taken over as expired */
		return fd == UTIL_NOT_REGULAR || errno == ENOENT ? STORE_MISS : STORE_ERROR;
	n = pread(fd, text, 16, 0);
	close(fd);
	snprintf(want, sizeof want, "%016" PRIx64, owner);
	if (n != 16 || memcmp(text, want, 16))
		return STORE_MISS;	/* expired and taken over: not ours to drop */
	if (unlinkat(root, rel, 0) < 0)
		return errno == ENOENT ? STORE_MISS : STORE_ERROR;
	return STORE_HIT;
}

/* `entry` is not needed: the lease is a file of its own, and any ttl_ms
 * below 1 drops it only if it is still owner's. */
static int folder_lease(struct store *s, const struct memo_key *entry, const struct memo_key *k,
			uint64_t owner, int ttl_ms, struct memo_stats *st)
{
	struct folder_store *fs = FS(s);
	char rel[3 + KEY_TEXT_MAX], bucket[3];
	struct stat seen;
	int root, bfd, r;

	(void)entry;
	if (entry_path(fs, k, rel, bucket, st) < 0 || (root = root_get(fs, st)) < 0)
		return STORE_ERROR;
	if (ttl_ms > 0) {
		uint64_t now = util_wall_ns(), m;

		r = lease_create(root, rel, bucket, owner);
		if (r != STORE_CONFLICT)
			goto out;
		if (fstatat(root, rel, &seen, AT_SYMLINK_NOFOLLOW) < 0) {
			/* dropped in between: one more try, without a lock */
			r = errno == ENOENT ? lease_create(root, rel, bucket, owner) : STORE_ERROR;
			goto out;
		}
		m = mtime_ns(&seen);
		if (S_ISREG(seen.st_mode) &&
		    (m > now ? m - now <= LEASE_SKEW_NS : now - m < (uint64_t)ttl_ms * 1000000ULL)) {
			root_put(fs, root);
			return STORE_CONFLICT;	/* live */
		}
	}
	bfd = openat(root, bucket, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		r = errno == ENOENT && ttl_ms <= 0 ? STORE_MISS : STORE_ERROR;
		goto out;
	}
	if (util_flock_bounded(bfd, fs->lock_wait_ms) < 0) {
		/* Taking over: another taker holds the lock, and will win. */
		r = errno != ETIMEDOUT ? STORE_ERROR : ttl_ms > 0 ? STORE_CONFLICT : STORE_TIMEOUT;
		close(bfd);
		goto out;
	}
	r = lease_locked(root, rel, bucket, owner, ttl_ms > 0 ? &seen : NULL);
	close(bfd);	/* releases the lock */
out:
	root_put(fs, root);
	if (r == STORE_TIMEOUT && st)
		STAT_ADD(st, timeouts, 1);
	if (r == STORE_ERROR) {
		stat_err(st);
		warn_once(fs, OP_WRITE, errno, "cannot take or drop a single-flight lease", rel);
	}
	return r;
}

static const struct store_ops folder_ops = {
	.name = "folder",
	.get = folder_get,
	.set = folder_set,
	.gets = folder_gets,
	.cas = folder_cas,
	.del = folder_del,
	.after_fork = folder_after_fork,
	.report = folder_report,
	.usage = folder_usage,
	.trim = folder_trim,
	.each = folder_each,
	.take_evicted = folder_take_evicted,
	.free = folder_free,
	.sync = folder_sync_op,
	.lease = folder_lease,
};

/* mkdir -p with mode 0700 for what we create, whatever the umask (existing
 * parents are kept as they are). The folder itself first: where it or its
 * parent exists (every run but the first), one system call, not one per
 * component. */
static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof p)
		return errno = ENAMETOOLONG, -1;
	if (util_mkdirat(AT_FDCWD, dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		p[i] = 0;
		if (util_mkdirat(AT_FDCWD, p, 0700) < 0 && errno != EEXIST)
			return -1;
		p[i] = i < n ? '/' : 0;
	}
	return 0;
}

/* Say it, unless the caller has said it already. */
#define root_say(say, ...) do { if (say) log_error(__VA_ARGS__); } while (0)

/* The folder made where it is missing and its mode repaired where its
 * owner cannot use it, then opened: its descriptor, or -1 (said if `say`). */
static int root_make(const char *dir, struct stat *sb, bool say)
{
	mode_t was = 0;
	int fd;

	if (mkdir_p(dir) < 0) {
		root_say(say, "'%s': cannot create the cache folder: %s", dir, strerror(errno));
		return -1;
	}
	/* A folder its owner cannot use (an earlier run made it under umask
	 * 0777) would fail every later run: repaired, or refused with the fix.
	 * Not ours: the checks below refuse it. */
	switch (util_repair_mode(AT_FDCWD, dir, DIR_NEED, S_IRWXU, &was)) {
	case 1:	/* said whatever `say`: the repair happens once, by whoever comes first */
		log_warn("'%s': the cache folder had mode %03o, which its owner cannot use "
			 "(made under umask 0777?); repaired (u+rwx)", dir, (unsigned)was);
		break;
	case -1:
		if (errno == EPERM || !was)
			break;
		root_say(say, "'%s': the cache folder has mode %03o, which its owner cannot use, "
			 "and cannot be repaired: %s; not using it (chmod u+rwx '%s')",
			 dir, (unsigned)was, strerror(errno), dir);
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, sb) < 0) {
		int err = errno;

		root_say(say, "'%s': cannot open the cache folder: %s%s", dir, strerror(err),
			 err == EACCES ? " (its owner needs rwx on it: chmod u+rwx)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int store_folder_root(const char *dir, struct stat *sb, bool say)
{
	/* A folder that is there, and usable by its owner, as every start but
	 * the first finds it: its checks alone (an open and an fstat, where
	 * making and repairing it cost four system calls more). */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, sb) < 0 || (sb->st_mode & DIR_NEED) != DIR_NEED) {
		if (fd >= 0)
			close(fd);
		if ((fd = root_make(dir, sb, say)) < 0)
			return -1;
	}
	/* Whoever can write the folder can plant entries that this process
	 * would trust (without a secret) or replace them: refuse to share. */
	if (sb->st_uid != geteuid()) {
		root_say(say, "'%s': the cache folder belongs to uid %u, not to this user (uid %u); "
			 "not using it (choose another dir)", dir, (unsigned)sb->st_uid,
			 (unsigned)geteuid());
		close(fd);
		return -1;
	}
	if (sb->st_mode & (S_IWGRP | S_IWOTH)) {
		root_say(say, "'%s': the cache folder is writable by group or others (mode %03o); "
			 "not using it (chmod go-w)", dir, (unsigned)(sb->st_mode & 0777));
		close(fd);
		return -1;
	}
	return fd;
}

int store_folder_check(const char *dir, bool say)
{
	struct stat sb;
	int fd;

	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & DIR_NEED) == DIR_NEED &&
	    !(sb.st_mode & (S_IWGRP | S_IWOTH)) && sb.st_uid == geteuid())
		return 0;
	/* missing, to repair or refused: store_folder_root makes, repairs or says */
	if ((fd = store_folder_root(dir, &sb, say)) < 0)
		return -1;
	close(fd);
	return 0;
}

/* Whether the folder has a bucket already (any of the 256 names). */
static bool has_buckets(int root)
{
	struct stat sb;
	char name[3];

	for (int b = 0; b < 256; b++) {
		util_hex(name, &(uint8_t){ (uint8_t)b }, 1);
		if (fstatat(root, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode))
			return true;
	}
	return false;
}

/* The folder's number of buckets (see "Sizes" above): what LAYOUT_FILE
 * says; 256 when it cannot be read or says anything but a power of two up
 * to 256. When there is none, this process decides (256 for a folder that
 * has buckets, else by max_size) and publishes it by link(), which only one
 * process wins; then everyone reads the winner's. A folder it cannot write
 * gets this process's choice alone (it writes no entry there either). */
static unsigned folder_layout(int root, uint64_t max_size, uint64_t block)
{
	char buf[16], tmp[64], *end;
	unsigned n, want = 256;
	ssize_t len;
	bool ok;
	int fd;

	for (int tries = 0; tries < 2; tries++) {
		fd = util_open_regular(root, LAYOUT_FILE, O_RDONLY | O_NOFOLLOW, 0, NULL);
		if (fd == -1 && errno == EACCES &&
		    util_repair_mode(root, LAYOUT_FILE, S_IRUSR, S_IRUSR | S_IWUSR, NULL) == 1)
			fd = util_open_regular(root, LAYOUT_FILE, O_RDONLY | O_NOFOLLOW, 0, NULL);
		if (fd >= 0) {
			len = pread(fd, buf, sizeof buf - 1, 0);
			close(fd);
			buf[len > 0 ? len : 0] = '\0';
			n = (unsigned)strtoul(buf, &end, 10);
			return end != buf && *end == '\n' && n >= 1 && n <= 256 && !(n & (n - 1))
			       ? n : 256;
		}
		if (fd != -1 || errno != ENOENT || tries)
			return tries ? want : 256;
		if (!has_buckets(root))
			for (want = 256; max_size && want > 1 && (uint64_t)want * block * 32 > max_size;
			     want /= 2)
				;
		snprintf(tmp, sizeof tmp, LAYOUT_FILE ".%d.%d", (int)getpid(), (int)gettid());
		fd = util_open_regular(root, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600, NULL);
		if (fd < 0)
			return want;
		fchmod(fd, 0600);	/* whatever the umask */
		len = snprintf(buf, sizeof buf, "%u\n", want);
		ok = write(fd, buf, len) == len;
		close(fd);
		ok = ok && (linkat(root, tmp, root, LAYOUT_FILE, 0) == 0 || errno == EEXIST);
		unlinkat(root, tmp, 0);
		if (!ok)
			return want;
	}
	return want;
}

struct store *store_folder_open(const struct cache_config *c)
{
	struct folder_store *fs;
	struct statvfs vfs;
	struct statfs sfs;
	struct stat sb;
	int fd;

	if (!c->dir[0] || (fd = store_folder_root(c->dir, &sb, true)) < 0)
		return NULL;
	fs = calloc(1, sizeof *fs);
	if (!fs) {
		close(fd);
		return NULL;
	}
	fs->base.ops = &folder_ops;
	/* Kept high, or not at all (root_get opens it per operation then). */
	fs->rootfd = util_fd_high(fd);
	fs->root_dev = sb.st_dev;
	fs->root_ino = sb.st_ino;
	/* f_frsize is the allocation unit; anything odd: a page */
	fs->block = fstatvfs(fd, &vfs) == 0 && vfs.f_frsize >= 512 &&
		    vfs.f_frsize <= (1 << 20) ? vfs.f_frsize : 4096;
	fs->buckets = folder_layout(fd, c->max_size, fs->block);
	snprintf(fs->dir, sizeof fs->dir, "%s", c->dir);
	/* one file per entry under a small bound (see SMALL_MIN_BOUND) */
	if (c->small_store && (!c->max_size || c->max_size >= SMALL_MIN_BOUND)) {
		if (fstatfs(fd, &sfs) == 0 && !small_fs_local(sfs.f_type))
			log_warn("'%s': on a network or user-space filesystem (magic 0x%lx), where "
				 "the store of small entries (LMDB) cannot lock across nodes: one "
				 "file per entry", fs->dir, (unsigned long)sfs.f_type);
		else	/* 3/4 of the bound, to leave files room (small.c "Bounded") */
			fs->small = small_open(fs->dir, c->max_size / 4 * 3);
		/* format 1's file, not read (small.h): its blocks given back */
		unlinkat(fd, SMALL_OLD_FILE, 0);
		unlinkat(fd, SMALL_OLD_FILE "-lock", 0);
	}
	close(fd);
	fs->max_size = c->max_size;
	fs->chunk = fs->max_size / 16;
	if (fs->chunk > CHUNK_MAX)
		fs->chunk = CHUNK_MAX;
	if (!fs->chunk)
		fs->chunk = 1;
	fs->estimate = ESTIMATE_UNKNOWN;
	fs->lock_wait_ms = c->timeout_ms > 0 ? c->timeout_ms : 50;
	if (getrandom(&fs->nonce, sizeof fs->nonce, GRND_NONBLOCK) != sizeof fs->nonce)
		fs->nonce = util_wall_ns() ^ ((uint64_t)getpid() << 32);
	return &fs->base;
}
