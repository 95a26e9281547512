/*
 * small: small entries of the folder store in one LMDB file (small.h).
 *
 * Why LMDB: a B+tree in a shared memory map, one writer at a time through
 * a robust process-shared mutex, readers without any lock. A writer killed
 * mid-transaction leaves the last committed tree intact (copy on write: the
 * new root is published last), and its mutex is recovered by the next
 * writer; a reader killed leaves a slot that mdb_reader_check frees.
 *
 * Record: key = the entry's key text; data = when it was last used (8
 * bytes, wall ns, host order) then the value's bytes.
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
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/log.h"
#include "base/sigframe.h"
#include "base/util.h"
#include "store/store.h"

/* Address space, not disk: the file grows as it is written. A full map
 * makes small_put fail, and the entry becomes a file. */
#define MAP_SIZE (4ULL << 30)
#define MAX_READERS 510	/* threads keeping a read transaction, all processes */
/* LMDB's reader table: 64 bytes a reader and a header, rounded up to a page
 * (LMDB takes a larger lock file as it is, and more readers with it). */
#define LOCK_BYTES ((MAX_READERS + 2) * 64)
#define STAMP 8

struct small {
	char path[PATH_MAX];
	/* Set by small_open or, after fork, by the first use (under lock);
	 * read without it. NULL with `failed`: it cannot be opened, or the
	 * program took its descriptors (fds_ours). */
	MDB_env *env;
	MDB_dbi dbi;
	bool failed;
	int fds[3];		/* LMDB's descriptors (data, lock, data for its meta pages) */
	dev_t dev[3];
	ino_t ino[3];
	pthread_mutex_t lock;
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

/* Make path (the data file) and its lock file, mode 0600 whatever the
 * umask, and allocate the lock file's blocks: LMDB writes it through a
 * shared map, and a page the filesystem cannot give (a full disk) would
 * be SIGBUS in the host program; here it is ENOSPC, and no small store. */
static int file_make(const char *path, off_t size)
{
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
	if (size)
		rc = posix_fallocate(fd, 0, size);
	close(fd);
	return rc;
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
	MDB_dbi *dbi = &sm->dbi;
	const char *path = sm->path;
	int rc, dead;

	if ((rc = files_make(path)) != 0)
		goto fail_say;
	if ((rc = mdb_env_create(&e)) != 0)
		goto fail_say;
	mdb_env_set_maxreaders(e, MAX_READERS);
	mdb_env_set_mapsize(e, MAP_SIZE);
	if ((rc = open_high(sm, e)) != 0)
		goto fail;
	mdb_reader_check(e, &dead);	/* slots of readers killed (kill -9) */
	if ((rc = mdb_txn_begin(e, NULL, 0, &t)) != 0)
		goto fail;
	if ((rc = mdb_dbi_open(t, NULL, 0, dbi)) != 0) {
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

struct small *small_open(const char *dir)
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
	pthread_mutex_init(&sm->lock, NULL);
	sm->env = env_open(sm);
	if (!sm->env) {
		free(sm);
		sm = NULL;
		goto out;
	}
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
	pthread_mutex_destroy(&sm->lock);
	free(sm);
}

/* In the child, whose only thread is the one that forked: the parent's
 * environment and read transaction are forgotten, never used nor closed
 * (aborting would free the parent's reader slot); the first use opens
 * the file again. */
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

int small_get(struct small *sm, const char *key, size_t n, struct membuf *out, uint64_t *used)
{
	MDB_env *e = env_of(sm);
	MDB_val k = { n, (void *)key }, v;
	MDB_txn *t;
	bool in_handler;
	int rc, r = STORE_MISS;

	if (!e)
		return STORE_MISS;
	if (!(t = read_begin(e, &in_handler)))
		return in_handler ? STORE_MISS : STORE_ERROR;
	rc = mdb_get(t, sm->dbi, &k, &v);
	if (rc == 0 && v.mv_size >= STAMP) {
		size_t len = v.mv_size - STAMP;

		r = STORE_ERROR;
		if (membuf_reserve(out, out->len + len) == 0) {
			memcpy(used, v.mv_data, STAMP);
			memcpy(out->data + out->len, (uint8_t *)v.mv_data + STAMP, len);
			out->len += len;
			r = STORE_HIT;
		}
	} else if (rc != MDB_NOTFOUND && rc != 0) {
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

int small_put(struct small *sm, const char *key, size_t n, const void *val, size_t len,
	      uint64_t now)
{
	MDB_val k = { n, (void *)key }, v = { len + STAMP, NULL };
	MDB_env *e;
	MDB_txn *t;

	if (write_begin(sm, &e, &t) != 0)
		return STORE_ERROR;
	if (mdb_put(t, sm->dbi, &k, &v, MDB_RESERVE) != 0) {
		mdb_txn_abort(t);
		return STORE_ERROR;
	}
	memcpy(v.mv_data, &now, STAMP);
	memcpy((uint8_t *)v.mv_data + STAMP, val, len);
	return mdb_txn_commit(t) == 0 ? 0 : STORE_ERROR;
}

void small_touch(struct small *sm, const char *key, size_t n, uint64_t now)
{
	MDB_val k = { n, (void *)key }, v;
	uint8_t copy[SMALL_MAX + STAMP];
	MDB_env *e;
	MDB_txn *t;

	if (write_begin(sm, &e, &t) != 0)
		return;
	if (mdb_get(t, sm->dbi, &k, &v) == 0 && v.mv_size >= STAMP && v.mv_size <= sizeof copy) {
		memcpy(copy, v.mv_data, v.mv_size);
		memcpy(copy, &now, STAMP);
		v.mv_data = copy;
		if (mdb_put(t, sm->dbi, &k, &v, 0) == 0) {
			mdb_txn_commit(t);
			return;
		}
	}
	mdb_txn_abort(t);
}

int small_del(struct small *sm, const char *key, size_t n)
{
	MDB_val k = { n, (void *)key };
	MDB_env *e;
	MDB_txn *t;
	int rc;

	if (write_begin(sm, &e, &t) != 0)
		return STORE_ERROR;
	rc = mdb_del(t, sm->dbi, &k, NULL);
	if (rc != 0) {
		mdb_txn_abort(t);
		return rc == MDB_NOTFOUND ? STORE_MISS : STORE_ERROR;
	}
	return mdb_txn_commit(t) == 0 ? STORE_HIT : STORE_ERROR;
}

uint64_t small_entry_disk(size_t n, size_t len)
{
	/* LMDB's node: an 8-byte header, key, data; 2 bytes of page index */
	return (8 + n + STAMP + len + 1) / 2 * 2 + 2;
}

uint64_t small_file_disk(const char *dir)
{
	static const char *const names[] = { SMALL_FILE, SMALL_FILE "-lock" };
	struct stat sb;
	uint64_t n = 0;
	char *path;

	/* on the heap: eviction may run on a caller's small stack (t0512) */
	for (int i = 0; i < 2; i++) {
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

int small_each(struct small *sm, int (*fn)(void *ctx, const char *key, const void *val,
					   size_t len, uint64_t used), void *ctx)
{
	MDB_env *e = env_of(sm);
	char last[KEY_TEXT_MAX];
	size_t lastn = 0;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_txn *t;
	int r = 0, rc = 0;

	if (!e || mdb_txn_begin(e, NULL, MDB_RDONLY, &t) != 0)
		return -1;
	if (mdb_cursor_open(t, sm->dbi, &c) != 0) {
		mdb_txn_abort(t);
		return -1;
	}
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (!r && rc == 0) {
		for (int n = 0; !r && rc == 0 && n < EACH_BATCH;
		     n++, rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			uint64_t used;

			if (k.mv_size >= sizeof last || v.mv_size < STAMP)
				continue;	/* not ours */
			memcpy(last, k.mv_data, k.mv_size);
			last[k.mv_size] = 0;
			lastn = k.mv_size;
			memcpy(&used, v.mv_data, STAMP);
			r = fn(ctx, last, (uint8_t *)v.mv_data + STAMP, v.mv_size - STAMP, used);
		}
		if (r || rc != 0 || !lastn)
			break;
		/* a fresh snapshot, from the first entry after the last one seen */
		mdb_txn_reset(t);
		if (mdb_txn_renew(t) != 0 || mdb_cursor_renew(t, c) != 0) {
			r = -1;
			break;
		}
		k = (MDB_val){ lastn, last };
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && k.mv_size == lastn && !memcmp(k.mv_data, last, lastn))
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(t);
	return r;
}

/* Entries are removed a few per write transaction: a transaction copies
 * each page it changes and frees the old one only when it commits, so one
 * that touched every leaf would double the file for good (it never
 * shrinks). */
#define REMOVE_BATCH 4

int64_t small_remove(struct small *sm, bool (*keep)(void *ctx, const char *key, const void *val,
						    size_t len, uint64_t used), void *ctx)
{
	char last[KEY_TEXT_MAX];
	size_t lastn = 0;
	int64_t n = 0;
	bool more = true;

	while (more) {
		MDB_cursor *c;
		MDB_val k = { lastn, last }, v;
		MDB_env *e;
		MDB_txn *t;
		int done = 0, rc;

		if (write_begin(sm, &e, &t) != 0)
			return -1;
		if (mdb_cursor_open(t, sm->dbi, &c) != 0) {
			mdb_txn_abort(t);
			return -1;
		}
		/* from the first entry, or the first after the last one seen */
		rc = lastn ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(c, &k, &v, MDB_FIRST);
		if (rc == 0 && lastn && k.mv_size == lastn && !memcmp(k.mv_data, last, lastn))
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
		/* after a mdb_cursor_del, MDB_NEXT gives the entry that followed it */
		for (; rc == 0 && done < REMOVE_BATCH; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			uint64_t used;

			if (k.mv_size >= sizeof last || v.mv_size < STAMP)
				continue;	/* not ours */
			memcpy(last, k.mv_data, k.mv_size);
			last[k.mv_size] = 0;
			lastn = k.mv_size;
			memcpy(&used, v.mv_data, STAMP);
			if (!keep(ctx, last, (uint8_t *)v.mv_data + STAMP, v.mv_size - STAMP, used) &&
			    mdb_cursor_del(c, 0) == 0)
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
