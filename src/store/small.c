/*
 * small: small entries of the folder store in one LMDB file (small.h).
 *
 * Why LMDB: a B+tree in a shared memory map, one writer at a time through
 * a robust process-shared mutex, readers without any lock. A writer killed
 * mid-transaction leaves the last committed tree intact (copy on write: the
 * new root is published last), and its mutex is recovered by the next
 * writer; a reader killed leaves a slot that mdb_reader_check frees.
 *
 * Two trees (format 2, small2.mdb):
 *   "used": key = when the entry was last used (wall ns, unique: one past
 *           the newest if the clock says less); data = the entry's key
 *           (its 32-byte hash) then the value.
 *   "keys": key = the hash's first 8 bytes; data = the entry's "used" key.
 * Both keyed by 8-byte integers (MDB_INTEGERKEY, host order): compared
 * inline, where memcmp calls were a quarter of a lookup's time.
 * A lookup is two gets, and the full hash stored with the value must match
 * (two keys sharing 8 bytes replace each other: a miss, never a wrong
 * value; value.c's check covers the full key too). Why this shape:
 *   - "used" is written in order (MDB_APPEND), so its pages are filled
 *     whole (LMDB splits a page at half for an insert in the middle: the
 *     random keys of one tree left pages ~63% full, 2.77x the values' bytes
 *     on disk with the 67-byte key text); "keys" has small records.
 *   - the least recently used entries are the first of "used": eviction
 *     takes them from the front, with no scan, freeing whole pages.
 * A hit older than a minute marks its entry used (small_mark): a plain
 * store into a shared map of marks beside the file (small2.mdb-use: when
 * each slot's keys were last hit, in minutes), no write transaction (one
 * per hit cost ~50 us; queued, 128 per transaction, still ~6 us a hit,
 * every hit of a run an hour after the last). Eviction reads the marks:
 * an entry at the front of "used" hit since it was written gets a second
 * chance, moved to the end instead of removed (a CLOCK). Keys share a slot
 * (the map is 512 KiB): an entry a neighbour's hit marked is kept one
 * round longer, LRU is approximate, as the folder's minute resolution is.
 * A mark lost (the map cannot be made) only makes eviction plain FIFO.
 *
 * Bounded: with a cap, the trees' pages are kept under 3/4 of it: a write
 * that finds them above evicts the oldest entries down to 5/8, a batch per
 * write transaction (one transaction copies every page it changes and
 * frees the old ones only at its commit). The 1/4 left free serves every
 * writer's copies. The map is the cap: the file (which never shrinks)
 * cannot grow past it, even while the pages freed cannot be reused yet
 * (a reader preempted in a snapshot pins every page freed after it; with
 * four writers on two cores that grew the file by half); a write that
 * finds the map full fails, and its entry is a file.
 *
 * Durability: MDB_NOSYNC. A killed process loses nothing (its commits are
 * in the page cache); a crash of the machine may lose recent entries, as
 * the files (renamed without fsync) may. An fsync per entry would cost more
 * than most functions worth memoizing; value.c verifies what is read.
 *
 * Threads: MDB_NOTLS, and each thread keeps one read transaction (tl),
 * renewed for a get and reset after it, so that it pins no old pages (a
 * pinned snapshot would keep freed pages from reuse, and the file would
 * grow). The thread's exit aborts it (a pthread key's destructor).
 *
 * Signal handlers: LMDB allocates a thread's read transaction and every
 * write's dirty pages (malloc), and a handler may have interrupted malloc.
 * So what allocates (a thread's first read, every write, an open after
 * fork) is refused inside one (sigframe_in_handler, only on those paths):
 * reads miss and writes fail, and the folder uses its files.
 */
#include "store/small.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/log.h"
#include "base/sigframe.h"
#include "base/util.h"
#include "store/store.h"

/* Address space, not disk: the file grows as it is written, up to the map
 * (the cap, when there is one). A full map makes small_put fail, and the
 * entry becomes a file. */
#define MAP_SIZE (4ULL << 30)
#define MAX_READERS 510	/* threads keeping a read transaction, all processes */
/* LMDB's reader table: 64 bytes a reader and a header, rounded up to a page
 * (LMDB takes a larger lock file as it is, and more readers with it). */
#define LOCK_BYTES ((MAX_READERS + 2) * 64)
#define STAMP 8		/* a "used" key */
#define HASH 32		/* KEY_HASH_BYTES: an entry's key */
#define PREFIX 8	/* a "keys" key: the hash's first bytes */
/* Entries evicted or moved (a second chance) per write transaction: a
 * move dirties about two pages, 64 keep a transaction under ~0.5 MiB,
 * inside the free quarter of the smallest cap (3 MiB). */
#define EVICT_BATCH 64
#define MARKS_FILE SMALL_FILE "-use"
#define MARKS (1u << 17)	/* slots of the map of marks, 4 bytes each */
#define MINUTE_NS (60ULL * 1000000000ULL)

struct small {
	char path[PATH_MAX];
	/* Set by small_open or, after fork, by the first use (under lock);
	 * read without it. NULL with `failed`: it cannot be opened, or the
	 * program took its descriptors (fds_ours). */
	MDB_env *env;
	MDB_dbi used, keys;	/* the two trees (above) */
	bool failed;
	uint64_t map;		/* the map's size: the cap, or MAP_SIZE */
	uint64_t high, low;	/* the trees' bytes that start and end an eviction; 0: no cap */
	int fds[3];		/* LMDB's descriptors (data, lock, data for its meta pages) */
	dev_t dev[3];
	ino_t ino[3];
	pthread_mutex_t lock;
	/* The map of marks (MARKS slots: when a key of the slot was last hit,
	 * minutes of the wall clock), shared by every process; NULL: none */
	uint32_t *marks;
	unsigned refs;		/* under opened_lock */
	struct small *next;
};

/* Every file open in this process, once each (LMDB: one environment per
 * file per process; closing a second would drop the first's locks). */
static struct small *opened;
static pthread_mutex_t opened_lock = PTHREAD_MUTEX_INITIALIZER;

/* This thread's read transaction, and the environment it belongs to. */
static __thread struct {
	MDB_txn *txn;
	MDB_env *env;
} tl;
static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;

static void tl_end(void *txn)
{
	mdb_txn_abort(txn);
}

static void tl_init(void)
{
	pthread_key_create(&tl_key, tl_end);
}

bool small_fs_local(long f_type)
{
	static const unsigned long shared[] = {
		0x6969,		/* NFS */
		0x517B,		/* SMB */
		0xFF534D42,	/* CIFS */
		0xFE534D42,	/* SMB2 */
		0x01021997,	/* 9P (v9fs) */
		0x65735546,	/* FUSE (sshfs, virtiofs, s3fs...) */
		0x73757245,	/* Coda */
		0x5346414F,	/* OpenAFS */
		0x6B414653,	/* kAFS */
		0x00C36400,	/* Ceph */
		0x7461636F,	/* OCFS2 */
		0x01161970,	/* GFS2 */
		0x0BD00BD0,	/* Lustre */
		0x47504653,	/* GPFS */
		0x564C,		/* NCP */
		0x20030528,	/* OrangeFS */
		0x786F4256,	/* VirtualBox shared folder */
	};

	for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
		if ((unsigned long)(unsigned int)f_type == shared[i])
			return false;
	return true;
}

/* Make path (the data file, its lock file, its marks), mode 0600 whatever
 * the umask, and allocate the blocks of `size` bytes: LMDB writes the lock
 * file through a shared map, and so do hits the marks, and a page the
 * filesystem cannot give (a full disk) would be SIGBUS in the host
 * program; here it is ENOSPC, and no small store (or no marks). Blocks
 * already there are left alone, and the file's mtime with them. */
static int file_make(const char *path, off_t size)
{
	struct stat sb;
	int fd, rc = 0;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EACCES &&
	    util_repair_mode(AT_FDCWD, path, S_IRUSR | S_IWUSR, S_IRUSR | S_IWUSR, NULL) == 1) {
		log_warn("'%s': its owner could not use it (made under umask 0777?); repaired", path);
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return errno;
	fchmod(fd, 0600);
	if (size && (fstat(fd, &sb) != 0 || sb.st_size < size || sb.st_blocks * 512 < size))
		rc = posix_fallocate(fd, 0, size);
	close(fd);
	return rc;
}

/* The map of marks beside path, made and mapped (shared: every process's
 * marks, and after fork the child's too), its descriptor closed at once:
 * none kept for the program to close. Its blocks allocated first (a store
 * into a hole the disk cannot fill would be SIGBUS). NULL, said once: no
 * marks, and eviction is by age of writing only. */
static uint32_t *marks_map(const char *path)
{
	const off_t bytes = (off_t)MARKS * sizeof(uint32_t);
	char name[PATH_MAX + 8];
	void *m = MAP_FAILED;
	struct stat sb;
	int fd, rc;

	snprintf(name, sizeof name, "%s-use", path);	/* MARKS_FILE */
	if ((rc = file_make(name, bytes)) == 0) {
		if ((fd = open(name, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			rc = errno;
		} else {
			if (fstat(fd, &sb) != 0)
				rc = errno;
			else if (!S_ISREG(sb.st_mode) || sb.st_size < bytes)
				rc = EINVAL;	/* changed since file_make */
			else if ((m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
					   0)) == MAP_FAILED)
				rc = errno;
			close(fd);
		}
	}
	if (m != MAP_FAILED)
		return m;
	log_warn("'%s': cannot map the marks of hits: %s; the store of small entries evicts "
		 "by age of writing only", name, strerror(rc));
	return NULL;
}

static int files_make(const char *path)
{
	char lock[PATH_MAX + 8];
	int rc;

	snprintf(lock, sizeof lock, "%s-lock", path);
	rc = file_make(lock, LOCK_BYTES);
	return rc ? rc : file_make(path, 0);
}

/* mdb_env_open, with LMDB's descriptors high in the range (util_fd_high's
 * floor): open() takes the lowest free numbers, and a program's next open
 * would not get the number it expects. Every free number below the floor
 * is taken for the while (each dup of a placeholder takes the lowest), then
 * given back. Their numbers and files into sm->fds (for fds_ours). */
static int open_high(struct small *sm, MDB_env *e)
{
	int floor = util_fd_floor(), ph, taken[1024], n = 0, rc, x;
	char lock[PATH_MAX + 8];
	struct stat data, lk, sb;
	unsigned found = 0;

	if (floor < 0 || floor > (int)(sizeof taken / sizeof taken[0]))
		return EMFILE;	/* a program with so few descriptors: none kept */
	ph = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (ph < 0)
		return errno;
	while ((x = fcntl(ph, F_DUPFD_CLOEXEC, 0)) >= 0 && x < floor)
		taken[n++] = x;
	if (x >= 0)
		close(x);
	rc = mdb_env_open(e, sm->path, MDB_NOSUBDIR | MDB_NOTLS | MDB_NOSYNC,
			  0600);
	while (n)
		close(taken[--n]);
	close(ph);
	snprintf(lock, sizeof lock, "%s-lock", sm->path);
	if (rc != 0 || stat(sm->path, &data) < 0 || stat(lock, &lk) < 0)
		return rc ? rc : errno;
	for (x = floor; x < floor + 64 && found < 3; x++) {
		if (fstat(x, &sb) < 0 || !((sb.st_dev == data.st_dev && sb.st_ino == data.st_ino) ||
					   (sb.st_dev == lk.st_dev && sb.st_ino == lk.st_ino)))
			continue;
		sm->fds[found] = x;
		sm->dev[found] = sb.st_dev;
		sm->ino[found++] = sb.st_ino;
	}
	return found == 3 ? 0 : EBADF;
}

/* Whether LMDB's descriptors are still its files: a program may close
 * every descriptor (close_range) and have the numbers back as its own,
 * which LMDB would then write into. Checked before each write; reads go
 * through the memory map only. */
static bool fds_ours(const struct small *sm)
{
	struct stat sb;

	for (int i = 0; i < 3; i++)
		if (fstat(sm->fds[i], &sb) < 0 || sb.st_dev != sm->dev[i] ||
		    sb.st_ino != sm->ino[i])
			return false;
	return true;
}

static MDB_env *env_open(struct small *sm)
{
	MDB_env *e;
	MDB_txn *t;
	const char *path = sm->path;
	int rc, dead;

	if ((rc = files_make(path)) != 0)
		goto fail_say;
	if ((rc = mdb_env_create(&e)) != 0)
		goto fail_say;
	mdb_env_set_maxreaders(e, MAX_READERS);
	mdb_env_set_mapsize(e, sm->map);
	mdb_env_set_maxdbs(e, 2);
	if ((rc = open_high(sm, e)) != 0)
		goto fail;
	mdb_reader_check(e, &dead);	/* slots of readers killed (kill -9) */
	if ((rc = mdb_txn_begin(e, NULL, 0, &t)) != 0)
		goto fail;
	if ((rc = mdb_dbi_open(t, "used", MDB_CREATE | MDB_INTEGERKEY, &sm->used)) != 0 ||
	    (rc = mdb_dbi_open(t, "keys", MDB_CREATE | MDB_INTEGERKEY, &sm->keys)) != 0) {
		mdb_txn_abort(t);
		goto fail;
	}
	if ((rc = mdb_txn_commit(t)) != 0)
		goto fail;
	return e;
fail:
	mdb_env_close(e);
fail_say:
	log_warn("'%s': cannot open the store of small entries: %s; small entries are kept "
		 "as files, one each", path, mdb_strerror(rc));
	return NULL;
}

struct small *small_open(const char *dir, uint64_t cap)
{
	struct small *sm;
	char path[PATH_MAX];

	/* a program allowed so few descriptors may count on each one: none
	 * is kept (as the folder keeps none), and small entries are files */
	if (snprintf(path, sizeof path, "%s/" SMALL_FILE, dir) >= (int)sizeof path ||
	    util_fd_floor() < 0)
		return NULL;
	pthread_once(&tl_once, tl_init);
	pthread_mutex_lock(&opened_lock);
	for (sm = opened; sm && strcmp(sm->path, path); sm = sm->next)
		;
	if (sm) {
		sm->refs++;
		goto out;
	}
	sm = calloc(1, sizeof *sm);
	if (!sm)
		goto out;
	memcpy(sm->path, path, sizeof path);
	sm->map = cap ? cap & ~4095ULL : MAP_SIZE;
	sm->high = cap / 4 * 3;
	sm->low = cap / 8 * 5;
	pthread_mutex_init(&sm->lock, NULL);
	sm->env = env_open(sm);
	if (!sm->env) {
		free(sm);
		sm = NULL;
		goto out;
	}
	sm->marks = marks_map(path);
	sm->refs = 1;
	sm->next = opened;
	opened = sm;
out:
	pthread_mutex_unlock(&opened_lock);
	return sm;
}

void small_close(struct small *sm)
{
	struct small **p;

	pthread_mutex_lock(&opened_lock);
	if (--sm->refs) {
		pthread_mutex_unlock(&opened_lock);
		return;
	}
	for (p = &opened; *p != sm; p = &(*p)->next)
		;
	*p = sm->next;
	pthread_mutex_unlock(&opened_lock);
	if (sm->env && tl.env == sm->env) {	/* other threads have none: the memo command */
		mdb_txn_abort(tl.txn);
		tl.txn = NULL;
		tl.env = NULL;
		pthread_setspecific(tl_key, NULL);
	}
	if (sm->env)
		mdb_env_close(sm->env);
	if (sm->marks)
		munmap(sm->marks, MARKS * sizeof(uint32_t));
	pthread_mutex_destroy(&sm->lock);
	free(sm);
}

/* In the child, whose only thread is the one that forked: the parent's
 * environment and read transaction are forgotten, never used nor closed
 * (aborting would free the parent's reader slot); the first use opens
 * the file again. The map of marks is shared, and stays. */
void small_after_fork(struct small *sm)
{
	tl.txn = NULL;
	tl.env = NULL;
	pthread_setspecific(tl_key, NULL);
	pthread_mutex_init(&sm->lock, NULL);
	sm->env = NULL;
	sm->failed = false;
}

static MDB_env *env_of(struct small *sm)
{
	MDB_env *e = __atomic_load_n(&sm->env, __ATOMIC_ACQUIRE);

	if (e || __atomic_load_n(&sm->failed, __ATOMIC_RELAXED) || sigframe_in_handler())
		return e;
	pthread_mutex_lock(&sm->lock);
	if (!sm->env && !sm->failed) {
		e = env_open(sm);
		__atomic_store_n(&sm->env, e, __ATOMIC_RELEASE);
		sm->failed = !e;
	}
	e = sm->env;
	pthread_mutex_unlock(&sm->lock);
	return e;
}

/* This thread's read transaction on e, renewed: reset it after use. NULL
 * with *in_handler set: there is none yet, and it cannot be made here. */
static MDB_txn *read_begin(MDB_env *e, bool *in_handler)
{
	MDB_txn *t;
	int rc;

	*in_handler = false;
	if (tl.txn && tl.env == e && mdb_txn_renew(tl.txn) == 0)
		return tl.txn;
	if ((*in_handler = sigframe_in_handler()))
		return NULL;	/* mdb_txn_begin allocates */
	if (tl.txn)	/* another environment's, still open (small_close ends its own) */
		mdb_txn_abort(tl.txn);
	tl.txn = NULL;
	tl.env = NULL;
	rc = mdb_txn_begin(e, NULL, MDB_RDONLY, &t);
	if (rc == MDB_READERS_FULL) {	/* slots of killed readers: freed */
		int dead;

		mdb_reader_check(e, &dead);
		rc = mdb_txn_begin(e, NULL, MDB_RDONLY, &t);
	}
	if (rc != 0)
		return NULL;
	tl.txn = t;
	tl.env = e;
	pthread_setspecific(tl_key, t);
	return t;
}

static void stamp_put(uint8_t out[STAMP], uint64_t ns)
{
	memcpy(out, &ns, STAMP);
}

static uint64_t stamp_get(const void *p)
{
	uint64_t ns;

	memcpy(&ns, p, STAMP);
	return ns;
}

/* key's slot in the map of marks: hash bits the "keys" prefix leaves */
static uint32_t *mark_of(const struct small *sm, const uint8_t *key)
{
	uint32_t x;

	memcpy(&x, key + PREFIX, sizeof x);
	return &sm->marks[x & (MARKS - 1)];
}

/* When the entry of key, written (or moved) at `stamp`, was last used:
 * its slot's mark if later (wall ns, to the minute), else stamp. */
static uint64_t last_used(const struct small *sm, const uint8_t *key, uint64_t stamp)
{
	uint64_t m;

	if (!sm->marks)
		return stamp;
	m = (uint64_t)__atomic_load_n(mark_of(sm, key), __ATOMIC_RELAXED) * MINUTE_NS;
	return m > stamp ? m : stamp;
}

/* key's record in "used" (its hash checked) into *v, its "used" key into
 * stamp: 0, MDB_NOTFOUND, or LMDB's error. */
static int lookup(struct small *sm, MDB_txn *t, const uint8_t *key, uint8_t stamp[STAMP],
		  MDB_val *v)
{
	MDB_val k = { PREFIX, (void *)key }, s;
	int rc = mdb_get(t, sm->keys, &k, &s);

	if (rc != 0)
		return rc;
	if (s.mv_size != STAMP)
		return MDB_NOTFOUND;	/* not ours */
	memcpy(stamp, s.mv_data, STAMP);
	s.mv_data = stamp;
	rc = mdb_get(t, sm->used, &s, v);
	if (rc != 0)
		return rc;
	/* another key with the same first bytes replaced this one */
	return v->mv_size >= HASH && !memcmp(v->mv_data, key, HASH) ? 0 : MDB_NOTFOUND;
}

int small_get(struct small *sm, const uint8_t *key, struct membuf *out, uint64_t *used)
{
	MDB_env *e = env_of(sm);
	uint8_t stamp[STAMP];
	MDB_txn *t;
	MDB_val v;
	bool in_handler;
	int rc, r = STORE_MISS;

	if (!e)
		return STORE_MISS;
	/* A hit on an entry over a minute old marks it (small_mark): its slot,
	 * a line of a 512 KiB map no other hit of the run may have touched, is
	 * fetched while LMDB searches, not after (~0.1 us a hit of a rerun). */
	if (sm->marks)
		__builtin_prefetch(mark_of(sm, key), 1);
	if (!(t = read_begin(e, &in_handler)))
		return in_handler ? STORE_MISS : STORE_ERROR;
	rc = lookup(sm, t, key, stamp, &v);
	if (rc == 0) {
		size_t len = v.mv_size - HASH;

		r = STORE_ERROR;
		if (membuf_reserve(out, out->len + len) == 0) {
			*used = stamp_get(stamp);
			memcpy(out->data + out->len, (uint8_t *)v.mv_data + HASH, len);
			out->len += len;
			r = STORE_HIT;
		}
	} else if (rc != MDB_NOTFOUND) {
		r = STORE_ERROR;
	}
	mdb_txn_reset(t);
	return r;
}

/* One write transaction: begin, with a map grown by another process
 * adopted. */
static int write_begin(struct small *sm, MDB_env **e, MDB_txn **t)
{
	int rc;

	if (sigframe_in_handler() || !(*e = env_of(sm)))
		return MDB_PANIC;	/* writes allocate their pages */
	if (!fds_ours(sm)) {
		/* Left as it is (other threads may read through its map): the
		 * folder keeps one file per entry from now on. */
		if (!__atomic_exchange_n(&sm->failed, true, __ATOMIC_RELAXED))
			log_warn("'%s': the program closed or reused its descriptors; small "
				 "entries are kept as files, one each, from now on", sm->path);
		__atomic_store_n(&sm->env, NULL, __ATOMIC_RELEASE);
		return MDB_PANIC;
	}
	rc = mdb_txn_begin(*e, NULL, 0, t);
	if (rc == MDB_MAP_RESIZED && mdb_env_set_mapsize(*e, 0) == 0)
		rc = mdb_txn_begin(*e, NULL, 0, t);
	return rc;
}

/* Whether "keys" names the "used" record at stamp, its data v: else the
 * record is no entry's (a key sharing its first bytes replaced it). */
static bool named(struct small *sm, MDB_txn *t, const MDB_val *stamp, const MDB_val *v)
{
	MDB_val k = { PREFIX, v->mv_data }, s;

	return v->mv_size >= HASH && mdb_get(t, sm->keys, &k, &s) == 0 && s.mv_size == STAMP &&
	       !memcmp(s.mv_data, stamp->mv_data, STAMP);
}

/* Remove the entry whose "used" record the cursor is on, and its "keys"
 * record if that still names it. */
static int drop(struct small *sm, MDB_txn *t, MDB_cursor *c, const MDB_val *stamp,
		const MDB_val *v)
{
	MDB_val k = { PREFIX, v->mv_data };

	if (named(sm, t, stamp, v) && mdb_del(t, sm->keys, &k, NULL) != 0)
		return -1;
	return mdb_cursor_del(c, 0);
}

/* The pages both trees take, in bytes. */
static uint64_t trees_bytes(struct small *sm, MDB_txn *t)
{
	uint64_t n = 0;
	MDB_dbi d[2] = { sm->used, sm->keys };
	MDB_stat st;

	for (int i = 0; i < 2; i++)
		if (mdb_stat(t, d[i], &st) == 0)
			n += (uint64_t)st.ms_psize *
			     (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages);
	return n;
}

/* The file's extent in pages, as the newest transaction left it. */
static uint64_t file_pages(MDB_env *e)
{
	MDB_envinfo info;

	return mdb_env_info(e, &info) == 0 ? info.me_last_pgno + 1 : 0;
}

/* In t: key's value, last used at `now` (or later: the "used" keys are
 * unique and in order), replacing its record if any. The record's space
 * reserved: its value is copied in by the caller, at *data. */
static int put_in(struct small *sm, MDB_txn *t, const uint8_t *key, size_t len, uint64_t now,
		  void **data)
{
	MDB_val k = { PREFIX, (void *)key }, s, v, last;
	uint8_t old[STAMP], stamp[STAMP];
	MDB_cursor *c;
	int rc;

	if (lookup(sm, t, key, old, &v) == 0) {
		s = (MDB_val){ STAMP, old };
		if ((rc = mdb_del(t, sm->used, &s, NULL)) != 0)
			return rc;
	}
	if ((rc = mdb_cursor_open(t, sm->used, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &last, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == 0 && last.mv_size == STAMP && stamp_get(last.mv_data) >= now)
		now = stamp_get(last.mv_data) + 1;
	else if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	stamp_put(stamp, now);
	s = (MDB_val){ STAMP, stamp };
	v = (MDB_val){ HASH + len, NULL };
	if ((rc = mdb_put(t, sm->used, &s, &v, MDB_APPEND | MDB_RESERVE)) != 0)
		return rc;
	memcpy(v.mv_data, key, HASH);
	*data = (uint8_t *)v.mv_data + HASH;
	return mdb_put(t, sm->keys, &k, &s, 0);
}

/* The least recently used entries removed until the trees take at most
 * sm->low bytes, from the front of "used" (whole pages freed, no scan),
 * EVICT_BATCH entries per write transaction. One hit since it was written
 * (its mark) is moved to the end instead, as used `now`: a second chance.
 * Only one written before `now`: a move's stamp is `now` or later, so that
 * none moves twice in one eviction, whatever the marks say (a clock ahead
 * marks in the future), and the eviction ends. Counted into *eff. */
static void evict(struct small *sm, uint64_t now, struct small_effect *eff)
{
	uint8_t *buf = malloc(HASH + SMALL_MAX);	/* a moved entry's copy */

	for (;;) {
		MDB_cursor *c;
		MDB_val k, v;
		MDB_env *e;
		MDB_txn *t;
		int n = 0, rc = 0;

		if (write_begin(sm, &e, &t) != 0)
			break;
		if (trees_bytes(sm, t) <= sm->low || mdb_cursor_open(t, sm->used, &c) != 0) {
			mdb_txn_abort(t);
			break;
		}
		while (!rc && n < EVICT_BATCH && mdb_cursor_get(c, &k, &v, MDB_FIRST) == 0) {
			size_t len = v.mv_size >= HASH ? v.mv_size - HASH : 0;
			void *data;

			n++;
			if (buf && k.mv_size == STAMP && v.mv_size >= HASH && len <= SMALL_MAX &&
			    stamp_get(k.mv_data) < now &&
			    last_used(sm, v.mv_data, stamp_get(k.mv_data)) > stamp_get(k.mv_data) &&
			    named(sm, t, &k, &v)) {
				/* a copy first: the move changes the pages it lies in */
				memcpy(buf, v.mv_data, HASH + len);
				if ((rc = put_in(sm, t, buf, len, now, &data)) == 0)
					memcpy(data, buf + HASH, len);
				continue;
			}
			if ((rc = drop(sm, t, c, &k, &v)) != 0)
				break;
			eff->evicted++;
			eff->freed += small_entry_disk(len);
		}
		mdb_cursor_close(c);
		if (rc) {
			mdb_txn_abort(t);
			break;
		}
		if (mdb_txn_commit(t) != 0 || !n)
			break;
	}
	free(buf);
}

int small_put(struct small *sm, const uint8_t *key, const void *val, size_t len, uint64_t now,
	      struct small_effect *eff)
{
	uint64_t pages;
	bool over;
	MDB_env *e;
	MDB_txn *t;
	void *data;

	*eff = (struct small_effect){ 0 };
	if (write_begin(sm, &e, &t) != 0)
		return STORE_ERROR;
	pages = file_pages(e);	/* under the write lock: the newest */
	if (put_in(sm, t, key, len, now, &data) != 0) {
		mdb_txn_abort(t);
		return STORE_ERROR;
	}
	memcpy(data, val, len);
	over = sm->high && trees_bytes(sm, t) > sm->high;
	if (mdb_txn_commit(t) != 0)
		return STORE_ERROR;
	if (over)
		evict(sm, now, eff);
	if (file_pages(e) > pages)
		eff->grew = (file_pages(e) - pages) * 4096;
	return 0;
}

void small_mark(struct small *sm, const uint8_t *key, uint64_t now)
{
	uint32_t *m, minute = (uint32_t)(now / MINUTE_NS);

	if (!sm->marks)
		return;
	m = mark_of(sm, key);
	if (__atomic_load_n(m, __ATOMIC_RELAXED) < minute)	/* a store only once a minute */
		__atomic_store_n(m, minute, __ATOMIC_RELAXED);
}

int small_del(struct small *sm, const uint8_t *key)
{
	MDB_val k = { PREFIX, (void *)key }, s, v;
	uint8_t stamp[STAMP];
	MDB_env *e;
	MDB_txn *t;
	int rc;

	if (write_begin(sm, &e, &t) != 0)
		return STORE_ERROR;
	rc = lookup(sm, t, key, stamp, &v);
	if (rc == 0) {
		s = (MDB_val){ STAMP, stamp };
		rc = mdb_del(t, sm->used, &s, NULL);
		if (rc == 0)
			rc = mdb_del(t, sm->keys, &k, NULL);
	}
	if (rc != 0) {
		mdb_txn_abort(t);
		return rc == MDB_NOTFOUND ? STORE_MISS : STORE_ERROR;
	}
	return mdb_txn_commit(t) == 0 ? STORE_HIT : STORE_ERROR;
}

uint64_t small_entry_disk(size_t len)
{
	/* LMDB's nodes: an 8-byte header, key, data, 2 bytes of page index;
	 * one in each tree */
	return (8 + STAMP + HASH + len + 1) / 2 * 2 + 2 + 8 + PREFIX + STAMP + 2;
}

uint64_t small_file_disk(const char *dir)
{
	static const char *const names[] = { SMALL_FILE, SMALL_FILE "-lock", MARKS_FILE };
	struct stat sb;
	uint64_t n = 0;
	char *path;

	/* on the heap: eviction may run on a caller's small stack (t0512) */
	for (int i = 0; i < 3; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			continue;
		if (stat(path, &sb) == 0)
			n += (uint64_t)sb.st_blocks * 512;
		free(path);
	}
	return n;
}

/* A scan reads a few hundred entries per read transaction: one held for a
 * whole scan would keep every page other processes free meanwhile from
 * reuse, and the file would grow by all they write. */
#define EACH_BATCH 256

int small_each(struct small *sm, int (*fn)(void *ctx, const uint8_t *key, const void *val,
					   size_t len, uint64_t used), void *ctx)
{
	MDB_env *e = env_of(sm);
	uint8_t last[STAMP];
	bool seen = false;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_txn *t;
	int r = 0, rc = 0;

	if (!e || mdb_txn_begin(e, NULL, MDB_RDONLY, &t) != 0)
		return -1;
	if (mdb_cursor_open(t, sm->used, &c) != 0) {
		mdb_txn_abort(t);
		return -1;
	}
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (!r && rc == 0) {
		for (int n = 0; !r && rc == 0 && n < EACH_BATCH;
		     n++, rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size != STAMP || v.mv_size < HASH)
				continue;	/* not ours */
			memcpy(last, k.mv_data, STAMP);
			seen = true;
			r = fn(ctx, v.mv_data, (uint8_t *)v.mv_data + HASH, v.mv_size - HASH,
			       last_used(sm, v.mv_data, stamp_get(last)));
		}
		if (r || rc != 0 || !seen)
			break;
		/* a fresh snapshot, from the first entry after the last one seen */
		mdb_txn_reset(t);
		if (mdb_txn_renew(t) != 0 || mdb_cursor_renew(t, c) != 0) {
			r = -1;
			break;
		}
		k = (MDB_val){ STAMP, last };
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && k.mv_size == STAMP && !memcmp(k.mv_data, last, STAMP))
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(t);
	return r;
}

/* Entries are removed a few per write transaction: a transaction copies
 * each page it changes and frees the old one only when it commits, so one
 * that touched every page of "keys" would grow the file for good (it never
 * shrinks). */
#define REMOVE_BATCH 32

int64_t small_remove(struct small *sm, bool (*keep)(void *ctx, const uint8_t *key, const void *val,
						    size_t len, uint64_t used), void *ctx)
{
	uint8_t last[STAMP];
	bool seen = false, more = true;
	int64_t n = 0;

	while (more) {
		MDB_cursor *c;
		MDB_val k = { STAMP, last }, v;
		MDB_env *e;
		MDB_txn *t;
		int done = 0, rc;

		if (write_begin(sm, &e, &t) != 0)
			return -1;
		if (mdb_cursor_open(t, sm->used, &c) != 0) {
			mdb_txn_abort(t);
			return -1;
		}
		/* from the first entry, or the first after the last one seen */
		rc = seen ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(c, &k, &v, MDB_FIRST);
		if (rc == 0 && seen && k.mv_size == STAMP && !memcmp(k.mv_data, last, STAMP))
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
		/* after a mdb_cursor_del, MDB_NEXT gives the entry that followed it */
		for (; rc == 0 && done < REMOVE_BATCH; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size != STAMP || v.mv_size < HASH)
				continue;	/* not ours */
			memcpy(last, k.mv_data, STAMP);
			seen = true;
			if (!keep(ctx, v.mv_data, (uint8_t *)v.mv_data + HASH, v.mv_size - HASH,
				  last_used(sm, v.mv_data, stamp_get(last))) &&
			    drop(sm, t, c, &k, &v) == 0)
				done++;
		}
		more = rc == 0;
		mdb_cursor_close(c);
		if (mdb_txn_commit(t) != 0)
			return n ? n : -1;
		n += done;
	}
	return n;
}
