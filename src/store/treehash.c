/*
 * treehash: see treehash.h. One job runs at a time (a caller that finds the
 * pool busy hashes its leaves alone, which is correct, only slower); leaves
 * are handed out by an atomic counter, so a slow worker never holds a leaf
 * another could take.
 * Leaves are hashed by libsodium's BLAKE2b where it can be loaded: it picks
 * SSSE3 or AVX2 code at run time, 1.3x libb2's on this project's machine
 * (ARCHITECTURE.md). It is loaded by dlopen with the pool, on the first
 * large buffer, so that a process that never hashes one never loads it; its
 * digests are libb2's, bit for bit (plain BLAKE2b-256, no key), so without
 * it libb2 hashes the same tree, only slower.
 */
#include "store/treehash.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "store/blake2b_x4.h"
#include "base/b2.h"

#define MAX_WORKERS 7
#define STACK_LEAVES 256

struct job {
	const uint8_t *data;
	size_t len, leaves;
	uint8_t (*digest)[32];
	size_t next;		/* atomic: the next leaf to take */
	size_t done;		/* atomic: leaves finished */
	int users;		/* under pool_lock: workers holding this job */
	/* treehash_read: each leaf is read from fd at from + its offset
	 * into its place at data (writable then) before it is hashed, so
	 * the reads are spread over the workers too and each leaf is hashed
	 * while in cache. fd -1 otherwise. */
	int fd;
	off_t from;
	int error;		/* atomic: the first read's errno, else 0 */
};

/* Read the n bytes at off into their place; 0, or the errno (EIO for a
 * file shorter than the job's length: cut while being read). */
static int read_leaf(struct job *j, size_t off, size_t n)
{
	uint8_t *at = (uint8_t *)j->data + off;

	while (n) {
		ssize_t r = pread(j->fd, at, n, j->from + (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? errno : EIO;
		at += r;
		off += r;
		n -= r;
	}
	return 0;
}

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_idle = PTHREAD_COND_INITIALIZER;
static struct job *current;	/* under pool_lock */
static unsigned long generation;	/* written under pool_lock: bumped per job */
static int nworkers = -1;	/* -1: not started; under pool_lock */
static int busy;		/* a job is running; atomic */

/* libsodium's crypto_generichash: out, outlen, in, inlen, key, keylen. */
typedef int sodium_hash_fn(unsigned char *, size_t, const unsigned char *,
			   unsigned long long, const unsigned char *, size_t);

static int libb2_hash(unsigned char *out, size_t outlen, const unsigned char *in,
		      unsigned long long inlen, const unsigned char *key, size_t keylen)
{
	return b2(out, in, key, outlen, inlen, keylen);
}

/* What hashes a leaf: libb2 until start_pool has loaded libsodium (atomic:
 * a caller hashing alone may read it while start_pool writes it; both give
 * the same digest). */
static sodium_hash_fn *leaf_hash = libb2_hash;

/* libsodium's BLAKE2b, loaded once with the pool; NULL when it cannot be
 * (then libb2 goes on hashing the leaves). sodium_init picks the SIMD code
 * for this CPU (and, with getrandom, opens no descriptor). */
static sodium_hash_fn *load_sodium(void)
{
	void *h = dlopen("libsodium.so.23", RTLD_LOCAL | RTLD_NOW);
	int (*init)(void);
	sodium_hash_fn *fn;

	if (!h)
		return NULL;
	init = (int (*)(void))dlsym(h, "sodium_init");
	fn = (sodium_hash_fn *)dlsym(h, "crypto_generichash");
	if (!init || !fn || init() < 0) {
		dlclose(h);
		return NULL;
	}
	return fn;	/* kept loaded for the process's life */
}

/* Whether leaves are hashed four at a time (blake2b_x4): set by
 * start_pool, before any job runs. */
static bool use_x4;	/* atomic: a caller finding the pool busy may read it as it is set */

/* Hash leaves [i, i + k) (reading them first for treehash_read): four full
 * ones at once where the CPU can, the rest one by one. */
static void hash_run(struct job *j, size_t i, size_t k, sodium_hash_fn *hash)
{
	size_t l, end = (i + k) * TREEHASH_CHUNK < j->len ? (i + k) * TREEHASH_CHUNK : j->len;
	int err = j->fd >= 0 ? read_leaf(j, i * TREEHASH_CHUNK, end - i * TREEHASH_CHUNK) : 0;

	if (err) {	/* the job fails: its digest is never used */
		int none = 0;

		__atomic_compare_exchange_n(&j->error, &none, err, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		return;
	}
	if (k == 4 && end - i * TREEHASH_CHUNK == 4 * TREEHASH_CHUNK) {
		const uint8_t *in[4];

		for (l = 0; l < 4; l++)
			in[l] = j->data + (i + l) * TREEHASH_CHUNK;
		blake2b_x4(in, TREEHASH_CHUNK, &j->digest[i]);
		return;
	}
	for (l = i; l < i + k; l++) {
		size_t off = l * TREEHASH_CHUNK;
		size_t n = j->len - off < TREEHASH_CHUNK ? j->len - off : TREEHASH_CHUNK;

		hash(j->digest[l], 32, j->data + off, n, NULL, 0);
	}
}

static void hash_leaves(struct job *j)
{
	sodium_hash_fn *hash = __atomic_load_n(&leaf_hash, __ATOMIC_RELAXED);
	size_t i, step = __atomic_load_n(&use_x4, __ATOMIC_RELAXED) ? 4 : 1;

	while ((i = __atomic_fetch_add(&j->next, step, __ATOMIC_RELAXED)) < j->leaves) {
		size_t k = j->leaves - i < step ? j->leaves - i : step;

		hash_run(j, i, k, hash);
		__atomic_fetch_add(&j->done, k, __ATOMIC_RELEASE);
	}
}

/*
 * Waiting on a condition variable costs a wake-up (tens of microseconds on a
 * VM, where the idle CPU is halted) at each end of a job: a worker is late to
 * its first leaf, and the caller to its result. Both first poll for a short
 * while, which is cheap next to a job (a leaf is ~0.3 ms on one core) and
 * makes back-to-back jobs wake nobody. 1 MiB on 2 cores, median of 8 runs:
 * 1.25 -> 1.54 GB/s.
 */
#define POLL_NS 100000

/* Polls until cond(arg) holds or POLL_NS pass (the caller then waits on
 * its condition variable as before). */
static void poll_briefly(int (*cond)(const void *), const void *arg)
{
	uint64_t until = util_now_ns() + POLL_NS;

	for (int i = 0; !cond(arg); i++) {
		__builtin_ia32_pause();
		if ((i & 255) == 255 && util_now_ns() > until)
			return;
	}
}

static int new_job(const void *seen)
{
	return __atomic_load_n(&generation, __ATOMIC_RELAXED) != *(const unsigned long *)seen;
}

static int job_done(const void *j)
{
	const struct job *job = j;

	return __atomic_load_n(&job->done, __ATOMIC_ACQUIRE) == job->leaves;
}

static void *worker(void *arg)
{
	unsigned long seen = 0;

	(void)arg;
	pthread_mutex_lock(&pool_lock);
	for (;;) {
		struct job *j;

		if (generation == seen) {
			pthread_mutex_unlock(&pool_lock);
			poll_briefly(new_job, &seen);
			pthread_mutex_lock(&pool_lock);
		}
		while (generation == seen)
			pthread_cond_wait(&pool_wake, &pool_lock);
		seen = generation;
		j = current;
		if (!j)
			continue;
		j->users++;
		pthread_mutex_unlock(&pool_lock);
		hash_leaves(j);
		pthread_mutex_lock(&pool_lock);
		/* the job lives on its caller's stack: let go before it returns */
		j->users--;
		pthread_cond_broadcast(&pool_idle);
	}
	return NULL;
}

/* Load libsodium (once: a forked child inherits it), then start the workers
 * (one fewer than the cores this process may run on: a worker sharing the
 * caller's only core would only slow it); they never see the host's
 * signals. Under pool_lock. */
static void start_pool(void)
{
	static int sodium_tried;
	cpu_set_t allowed;
	long cores = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ?
		     CPU_COUNT(&allowed) : sysconf(_SC_NPROCESSORS_ONLN);
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int i;

	if (!sodium_tried) {
		sodium_hash_fn *fn = load_sodium();

		sodium_tried = 1;
		__atomic_store_n(&use_x4, blake2b_x4_usable(), __ATOMIC_RELAXED);
		if (fn)
			__atomic_store_n(&leaf_hash, fn, __ATOMIC_RELAXED);
	}
	nworkers = 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (i = 0; i < cores - 1 && i < MAX_WORKERS; i++)
		if (pthread_create(&t, &attr, worker, NULL) == 0)
			nworkers++;
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void run(struct job *j)
{
	int shared = 0;

	if (!__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&pool_lock);
		if (nworkers < 0)
			start_pool();
		if (nworkers > 0) {
			current = j;
			__atomic_store_n(&generation, generation + 1, __ATOMIC_RELAXED);
			pthread_cond_broadcast(&pool_wake);
			shared = 1;
		}
		pthread_mutex_unlock(&pool_lock);
		if (!shared)
			__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	}
	hash_leaves(j);
	if (shared) {
		poll_briefly(job_done, j);
		pthread_mutex_lock(&pool_lock);
		current = NULL;	/* workers not yet started find nothing to take */
		while (__atomic_load_n(&j->done, __ATOMIC_ACQUIRE) < j->leaves || j->users)
			pthread_cond_wait(&pool_idle, &pool_lock);
		pthread_mutex_unlock(&pool_lock);
		__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	}
}

/* The root of j's bytes (read first when j->fd >= 0); 0, or -1 with
 * errno when a read failed. */
static int tree(struct job *j, uint8_t out[32])
{
	uint8_t stack_digest[STACK_LEAVES][32];
	blake2b_state s;
	uint64_t n = j->len;

	j->leaves = (j->len + TREEHASH_CHUNK - 1) / TREEHASH_CHUNK;
	j->digest = j->leaves <= STACK_LEAVES ? stack_digest : malloc(j->leaves * 32);
	if (!j->digest) {	/* no memory for the tree: a plain hash, marked apart */
		if (j->fd >= 0) {
			int err = read_leaf(j, 0, j->len);

			if (err) {
				errno = err;
				return -1;
			}
		}
		b2_init(&s, 32);
		b2_update(&s, (const uint8_t *)"flat", 4);
		b2_update(&s, j->data, j->len);
		b2_final(&s, out, 32);
		return 0;
	}
	run(j);
	b2_init(&s, 32);
	b2_update(&s, (const uint8_t *)&n, sizeof n);
	b2_update(&s, (const uint8_t *)j->digest, j->leaves * 32);
	b2_final(&s, out, 32);
	if (j->digest != stack_digest)
		free(j->digest);
	if (__atomic_load_n(&j->error, __ATOMIC_RELAXED)) {	/* after run's acquire */
		errno = j->error;
		return -1;
	}
	return 0;
}

void treehash(const void *data, size_t len, uint8_t out[32])
{
	struct job j = { .data = data, .len = len, .fd = -1 };

	tree(&j, out);
}

int treehash_read(int fd, off_t from, void *dst, size_t len, uint8_t out[32])
{
	struct job j = { .data = dst, .len = len, .fd = fd, .from = from };

	return tree(&j, out);
}

void treehash_after_fork(void)
{
	pthread_mutex_init(&pool_lock, NULL);
	pthread_cond_init(&pool_wake, NULL);
	pthread_cond_init(&pool_idle, NULL);
	current = NULL;
	nworkers = -1;
	busy = 0;
}
