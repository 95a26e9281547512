/*
 * store_memcached: the memcached backend (libmemo-memcached.so), through
 * libmemcached: ketama over `servers`, one handle per thread, a circuit
 * breaker per server, values over the item size split into chunks.
 * Calls libmemcached, mc_io, libb2 (chunk digests), log and util. Hot-path
 * safe: a small get takes no lock and allocates nothing of its own (it reads
 * into a per-thread memcached_result_st and copies into the caller's
 * membuf); every request is bounded by its server's adapted timeout in
 * all, plus connect_timeout_ms for a connection it makes (mc_io.c, which also keeps
 * its sockets off the program's numbers); after fork the child drops the
 * handles it inherited (after_fork) and opens its own.
 *
 * Decisions worth knowing before changing anything here:
 *
 * - noreply only for a plain set of one item at most half the server's item
 *   size, over the text protocol: the set a miss makes. Its reply would cost
 *   the miss a second round trip, and the one refusal that noreply hides
 *   silently — an item over the size limit — cannot happen to it. (The other,
 *   out of memory, needs a server run with -M, which refuses to evict.)
 *   Single flight's lookup also sends its lease's `add` noreply, before the
 *   get that reads the lease back (whose owner says who won), and a hit
 *   that took the lease deletes it noreply (mc_fetch).
 *   Everything else waits for its reply: cas, add, chunks (the manifest is
 *   written only after every chunk was acknowledged), and every set over the
 *   binary protocol (SASL), whose quiet commands report errors out of band.
 * - Chunked entries: the main key holds a manifest (item flags MC_FLAG_MANIFEST)
 *   naming the chunks "<key>.<id>.c<N>", where <id> is random per write so the
 *   chunks of two concurrent writers never mix. Chunks first, manifest last.
 *   A missing chunk is a plain miss (memcached evicts; nothing was corrupt);
 *   a malformed manifest, a chunk of the wrong length or a digest mismatch is
 *   a miss counted in `rejected`.
 * - The breaker is shared by the threads of a process (atomics, no lock):
 *   MC_BREAK_AFTER consecutive failures open it; while open, requests to that
 *   server fail at once (STORE_ERROR, counted in errors: the request went
 *   unanswered because of the server); after a backoff (doubling) exactly one
 *   request probes; its success closes the breaker. libmemcached's own
 *   per-handle dead-server timeout is disabled so that it never answers
 *   "temporarily disabled" to our probe.
 * - Timeouts adapt to each server's latency as TCP's retransmission timer
 *   does (RFC 6298): a smoothed round trip SRTT and its variation RTTVAR,
 *   from the requests answered, give RTO = SRTT + 4 RTTVAR, clamped to
 *   [timeout_ms, timeout_max_ms]; a timeout doubles RTO (up to the ceiling).
 *   A loaded node's or a far server's slow replies then arrive in time and
 *   are not failures; a dead server still costs at most the ceiling per
 *   request until the breaker opens. Relaxed atomics, no lock: threads
 *   racing on one server lose a sample at worst. Samples that include a
 *   connection made (mc_io's `made`), a noreply set (no reply awaited) or a
 *   multi-get of chunks (a transfer, not a round trip) are not taken; one
 *   request in 8 of a thread's is sampled, and any slower than a quarter of
 *   its timeout, so that most requests read no clock (mc_rtt_answered).
 * - Inside a signal handler (which may have interrupted malloc; store.h's
 *   store_may_allocate, asked only where a block is about to be taken)
 *   nothing is taken from the heap: each thread's result buffer is made
 *   large enough for any value its caller's scratch holds when its handle
 *   is made; a larger value, chunks, a handle or a server not reached yet
 *   are held back (a miss, counted as bypassed); libmemcached's error
 *   records come from a spare area, and its frees wait (mc_mem_*).
 * - errors counts requests a server failure left unanswered; timeouts those
 *   that hit a timeout instead; reconnects counts a success on a server after
 *   the breaker had opened or after this thread's connection to it had failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <libmemcached/memcached.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "store/mc_io.h"
#include "store/store.h"
#include "base/b2.h"

#define MC_MAX_SERVERS 64
#define MC_BREAK_AFTER 2		/* consecutive failures that open a breaker */
#define MC_BACKOFF_NS 200000000LL	/* first wait before a probe: 200 ms */
#define MC_BACKOFF_MAX_NS 3200000000LL	/* doubling up to 3.2 s */
#define MC_DEFAULT_ITEM_MAX (1024 * 1024)
#define MC_MIN_ITEM_MAX 1024	/* memcached refuses a smaller -I */
/* Room for memcached's item header, the key and the CAS field within
 * item_size_max (the header is ~56 bytes, keys here are under 100). */
#define MC_ITEM_OVERHEAD 512
#define MC_FLAG_MANIFEST 0x4d434d31U	/* "MCM1": the item is a manifest */
#define MC_MANIFEST_MAGIC 0x4b4e4843U	/* "CHNK" */
#define MC_MANIFEST_SIZE 64
#define MC_CHUNK_KEY_MAX (KEY_TEXT_MAX + 32)

/* One server's circuit breaker. Written by any thread with atomics. */
struct mc_breaker {
	int fails;		/* consecutive failures; 0 = healthy */
	int probing;		/* 1 while one request probes an open breaker */
	int64_t open_until;	/* CLOCK_MONOTONIC ns; 0 = closed */
};

/* One server's round-trip estimate (RFC 6298), in ns. Written by any
 * thread with relaxed atomics; srtt 0 = no sample yet, rto 0 = the floor. */
struct mc_rtt {
	int64_t srtt, rttvar, rto;
};

struct mc_server {
	char host[256];
	in_port_t port;
	struct mc_breaker br;
	struct mc_rtt rtt;
};

struct mc_store {
	struct store base;
	int nservers;
	struct mc_server servers[MC_MAX_SERVERS];
	int connect_timeout_ms, timeout_ms;
	int64_t rto_min, rto_max;	/* ns: timeout_ms and timeout_max_ms */
	bool sasl;
	char sasl_user[256];
	char sasl_password[256];
	pthread_key_t tkey;
	uint64_t gen;		/* bumped in the child by after_fork */
	uint64_t id;		/* this store's, never another's (mc_stores_opened) */
	int troubled;		/* servers with fails > 0: 0 keeps the fast path fast */
	int item_probe;		/* 0 unread, 1 being read, 2 known */
	size_t chunk_size;	/* largest single item we write; set once */
};

/* What libmemcached gets inside a signal handler, where malloc may not be
 * called: the records of a failed request's error (2,088 bytes each, two a
 * failure, the previous ones freed as the next are made). It cannot do
 * without them: a record it cannot allocate fails an assertion (Debian's
 * build aborts the process). A slot each; a larger block, or one when all
 * are taken, gets NULL. */
#define MC_SPARE_SLOTS 12
#define MC_SPARE_SLOT 2112

struct mc_spare {
	bool taken[MC_SPARE_SLOTS];
	_Alignas(16) uint8_t slot[MC_SPARE_SLOTS][MC_SPARE_SLOT];
};

/* A thread's own connection state; never seen by another thread. */
struct mc_thread {
	struct mc_store *s;
	uint64_t store_id;	/* s->id when it was made */
	memcached_st *mc;
	memcached_result_st res;	/* reused: its buffer grows once */
	uint64_t gen;
	uint64_t bad;		/* bit i: this handle failed on server i */
	/* bit i: server i answered on this handle since its last failure: its
	 * address is resolved (getaddrinfo allocates), a reconnection is not */
	uint64_t answered;
	bool refused;		/* mc_mem_* refused a block since it was cleared */
	bool held_back;		/* ... one asked inside a signal handler (mc_may_allocate) */
	struct mc_spare spare;	/* libmemcached's error records inside a handler */
	/* heap blocks libmemcached gave back inside a handler (free may not be
	 * called there either), freed by the next operation outside one */
	void *deferred[8];
	int ndeferred;
	struct mc_io io;	/* its sockets and the current operation's deadline */
	uint64_t sent_ns;	/* the request's start, for its round trip; 0: not read */
	bool timed;		/* the request's round trip may be sampled */
	/* the last key placed (mc_server_of): a lookup places its key twice,
	 * for the caller's per-server costs (server_of) and for its request */
	char last_key[80];
	size_t last_len;	/* 0: none */
	int last_server;
	unsigned rtt_tick;	/* requests started (mc_start_clock) */
};

/* ---- handles ---------------------------------------------------------- */

/* May this thread allocate now? Not inside a signal handler (store.h). */
static bool mc_may_allocate(const struct mc_store *s)
{
	return !s->base.may_allocate || s->base.may_allocate();
}

static void *mc_spare_take(struct mc_spare *sp, size_t n)
{
	for (int i = 0; i < MC_SPARE_SLOTS && n <= MC_SPARE_SLOT; i++)
		if (!sp->taken[i]) {
			sp->taken[i] = true;
			return sp->slot[i];
		}
	return NULL;
}

static bool mc_spare_owns(const struct mc_spare *sp, const void *p)
{
	return (const uint8_t *)p >= sp->slot[0] && (const uint8_t *)p < sp->slot[MC_SPARE_SLOTS];
}

static void mc_spare_give(struct mc_spare *sp, const void *p)
{
	sp->taken[((const uint8_t *)p - sp->slot[0]) / MC_SPARE_SLOT] = false;
}

/* libmemcached's memory for a thread's handle (ctx: its mc_thread): malloc's,
 * refusing any block over MC_VALUE_MAX (mc_io.h), noted in `refused`; inside
 * a signal handler, the spare area's for a new block (its error records),
 * and else nothing, noted in `held_back`.
 * libmemcached sizes a reply's buffer from the length the server announces,
 * before reading the value: a larger one (`VALUE k 0 4294967296`) then fails
 * there with nothing allocated (and fetch_result calls it not found: hence
 * the note). A length that wraps its size_t arithmetic (`-1`) allocates
 * nothing and is refused by mc_fetch. */
enum mc_grant { MC_HEAP, MC_SPARE_ONLY, MC_NONE };

static enum mc_grant mc_mem_grant(struct mc_thread *t, size_t n)
{
	if (n > MC_VALUE_MAX) {
		t->refused = true;
		return MC_NONE;
	}
	return mc_may_allocate(t->s) ? MC_HEAP : MC_SPARE_ONLY;
}

/* A new block of n bytes, zeroed if `zero`. */
static void *mc_mem_new(struct mc_thread *t, size_t n, bool zero)
{
	enum mc_grant g = mc_mem_grant(t, n);
	void *p;

	if (g == MC_HEAP)
		return zero ? calloc(1, n) : malloc(n);
	if (g == MC_NONE)
		return NULL;
	if (!(p = mc_spare_take(&t->spare, n)))
		t->held_back = true;
	else if (zero)
		memset(p, 0, n);
	return p;
}

static void *mc_mem_malloc(const memcached_st *mc, const size_t n, void *ctx)
{
	(void)mc;
	return mc_mem_new(ctx, n, false);
}

static void *mc_mem_calloc(const memcached_st *mc, size_t nelem, const size_t n, void *ctx)
{
	size_t total;

	(void)mc;
	if (__builtin_mul_overflow(nelem, n, &total))
		total = SIZE_MAX;	/* over MC_VALUE_MAX: refused */
	return mc_mem_new(ctx, total, true);
}

/* A grown buffer (a reply's value) never comes from the spare area: inside
 * a handler the reply is not read (held back). */
static void *mc_mem_realloc(const memcached_st *mc, void *p, const size_t n, void *ctx)
{
	struct mc_thread *t = ctx;
	enum mc_grant g = mc_mem_grant(t, n);
	void *q;

	(void)mc;
	if (g == MC_SPARE_ONLY)
		t->held_back = true;
	if (g != MC_HEAP)
		return NULL;
	if (!p || !mc_spare_owns(&t->spare, p))
		return realloc(p, n);
	if ((q = malloc(n))) {	/* a spare block grown outside a handler: moved */
		memcpy(q, p, n < MC_SPARE_SLOT ? n : MC_SPARE_SLOT);
		mc_spare_give(&t->spare, p);
	}
	return q;
}

/* A block given back inside a handler waits in `deferred` (a full list
 * keeps it: a leak, never a free there). */
static void mc_mem_free(const memcached_st *mc, void *p, void *ctx)
{
	struct mc_thread *t = ctx;

	(void)mc;
	if (!p)
		return;
	if (mc_spare_owns(&t->spare, p))
		mc_spare_give(&t->spare, p);
	else if (mc_may_allocate(t->s))
		free(p);
	else if (t->ndeferred < (int)(sizeof t->deferred / sizeof t->deferred[0]))
		t->deferred[t->ndeferred++] = p;
}

/* Free what mc_mem_free kept inside a handler, once outside one. */
static void mc_mem_catch_up(struct mc_thread *t)
{
	if (!t->ndeferred || !mc_may_allocate(t->s))
		return;
	while (t->ndeferred)
		free(t->deferred[--t->ndeferred]);
}

static memcached_st *mc_handle_new(struct mc_store *s, struct mc_thread *t)
{
	memcached_st *mc = memcached_create(NULL);
	int i;

	if (!mc)
		return NULL;
	memcached_set_memory_allocators(mc, mc_mem_malloc, mc_mem_free, mc_mem_realloc, mc_mem_calloc,
				       t);
	/* Behaviours that quit connections are set before any exists. */
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_NO_BLOCK, 1);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	if (s->sasl)
		memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, 1);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_KETAMA_HASH, MEMCACHED_HASH_MD5);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_HASH, MEMCACHED_HASH_MD5);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_DISTRIBUTION,
			       MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, s->connect_timeout_ms);
	/* The ceiling: mc_io cuts each poll to the request's own deadline. */
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, s->rto_max / 1000000);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_SND_TIMEOUT, s->rto_max / 1000);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, s->rto_max / 1000);
	/* Our breaker decides when a server is tried again; libmemcached's own
	 * per-handle timeout would turn our probe into an instant refusal. */
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, 0);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_SERVER_TIMEOUT_LIMIT, 1U << 30);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1U << 30);
	for (i = 0; i < s->nservers; i++) {
		if (memcached_server_add(mc, s->servers[i].host, s->servers[i].port)
		    != MEMCACHED_SUCCESS) {
			log_error("'%s:%u': cannot add memcached server: %s", s->servers[i].host,
				  s->servers[i].port, memcached_last_error_message(mc));
			memcached_free(mc);
			return NULL;
		}
	}
#if defined(LIBMEMCACHED_WITH_SASL_SUPPORT) && LIBMEMCACHED_WITH_SASL_SUPPORT
	if (s->sasl && memcached_set_sasl_auth_data(mc, s->sasl_user, s->sasl_password)
	    != MEMCACHED_SUCCESS) {
		log_error("'%s': cannot set sasl credentials", s->sasl_user);
		memcached_free(mc);
		return NULL;
	}
#endif
	return mc;
}

/* A thread's result buffer is made this large with its handle: a reply of
 * up to the caller's scratch (VALUE_INLINE, call/evaluate.h), plus the
 * "\r\n" libmemcached reads with it, then never grows it, and a call served
 * inside a signal handler (call.c sends larger ones elsewhere) reads it
 * without allocating. */
#define MC_RESULT_PRESIZE (4096 + 2)

static bool mc_result_presize(memcached_result_st *r)
{
	static const char zeros[512];

	for (size_t n = 0; n < MC_RESULT_PRESIZE; n += sizeof zeros)
		if (memcached_result_set_value(r, zeros, sizeof zeros) != MEMCACHED_SUCCESS)
			return false;
	memcached_result_reset(r);	/* the buffer stays */
	return true;
}

/* The handle this thread's key holds for the store it was made for, read
 * at each request without the key's lookup (pthread_getspecific, twice a
 * lookup); NULL wherever the handle goes. A store's id tells it from a
 * store freed before it at the same address. */
static __thread struct mc_thread *mc_mine;
static uint64_t mc_stores_opened;

static void mc_thread_destroy(void *p)
{
	struct mc_thread *t = p;

	if (mc_mine == t)
		mc_mine = NULL;
	/* A handle from before a fork shares its sockets with the parent:
	 * freeing it would send QUIT on them, so it is left alone. Freeing
	 * ours quits each socket still ours (mc_io_begin forgets the others). */
	if (t->gen == __atomic_load_n(&t->s->gen, __ATOMIC_RELAXED)) {
		mc_io_begin(&t->io, (uint64_t)t->s->rto_min, 0);
		memcached_result_free(&t->res);
		memcached_free(t->mc);
		mc_io_end(&t->io);
	}
	mc_mem_catch_up(t);
	free(t);
}

/* mc_thread_get past mc_mine: the key's handle, or a new one. */
static __attribute__((noinline)) struct mc_thread *mc_thread_find(struct mc_store *s,
								 struct memo_stats *st)
{
	struct mc_thread *t = pthread_getspecific(s->tkey);
	uint64_t gen = __atomic_load_n(&s->gen, __ATOMIC_RELAXED);

	if (t && t->gen == gen)
		return mc_mine = t;
	if (!mc_may_allocate(s))
		return NULL;
	if (t) {
		/* Inherited across fork: drop it without a word on its sockets. */
		pthread_setspecific(s->tkey, NULL);
		if (mc_mine == t)
			mc_mine = NULL;
		free(t);
	}
	t = calloc(1, sizeof *t);
	if (!t)
		goto fail;
	t->s = s;
	t->store_id = s->id;
	t->gen = gen;
	t->io.text = !s->sasl;
	t->io.connect_ns = (uint64_t)s->connect_timeout_ms * 1000000;
	t->mc = mc_handle_new(s, t);
	if (!t->mc || !memcached_result_create(t->mc, &t->res)) {
		if (t->mc)
			memcached_free(t->mc);
		free(t);
		goto fail;
	}
	if (!mc_result_presize(&t->res)) {
		memcached_result_free(&t->res);
		memcached_free(t->mc);
		free(t);
		goto fail;
	}
	pthread_setspecific(s->tkey, t);
	return mc_mine = t;
fail:
	if (st)
		STAT_ADD(st, errors, 1);
	return NULL;
}

/* This thread's handle, created on first use (and again after a fork).
 * NULL (counted as an error in st) when none can be made, or (not counted)
 * inside a signal handler, where it cannot. */
static struct mc_thread *mc_thread_get(struct mc_store *s, struct memo_stats *st)
{
	struct mc_thread *t = mc_mine;

	if (t && t->s == s && t->store_id == s->id &&
	    t->gen == __atomic_load_n(&s->gen, __ATOMIC_RELAXED))
		return t;
	return mc_thread_find(s, st);
}

/* ---- adapted timeouts (RFC 6298) --------------------------------------- */

/* Server i's timeout now, in ns. */
static int64_t mc_rto(const struct mc_store *s, int i)
{
	int64_t rto = __atomic_load_n(&s->servers[i].rtt.rto, __ATOMIC_RELAXED);

	return rto ? rto : s->rto_min;
}

/* The largest timeout of any server: for a request that asks them all. */
static int64_t mc_rto_all(const struct mc_store *s)
{
	int64_t max = s->rto_min;

	for (int i = 0; i < s->nservers; i++)
		if (mc_rto(s, i) > max)
			max = mc_rto(s, i);
	return max;
}

/* A round trip r (ns) answered by server i: alpha 1/8, beta 1/4, K 4, a
 * clock granularity G of 1 ms (poll's). */
static void mc_rtt_sample(struct mc_store *s, int i, int64_t r)
{
	struct mc_rtt *e = &s->servers[i].rtt;
	int64_t srtt = __atomic_load_n(&e->srtt, __ATOMIC_RELAXED);
	int64_t var = __atomic_load_n(&e->rttvar, __ATOMIC_RELAXED);
	int64_t rto;

	if (r <= 0)
		r = 1;
	if (!srtt) {
		srtt = r;
		var = r / 2;
	} else {
		var = var - var / 4 + (srtt > r ? srtt - r : r - srtt) / 4;
		srtt = srtt - srtt / 8 + r / 8;
	}
	rto = srtt + (4 * var > 1000000 ? 4 * var : 1000000);
	rto = rto < s->rto_min ? s->rto_min : rto > s->rto_max ? s->rto_max : rto;
	__atomic_store_n(&e->srtt, srtt, __ATOMIC_RELAXED);
	__atomic_store_n(&e->rttvar, var, __ATOMIC_RELAXED);
	__atomic_store_n(&e->rto, rto, __ATOMIC_RELAXED);
}

/* A thread's round trips to a server are sampled one in RTT_EVERY (threads
 * asking at once would otherwise write the server's line at every
 * request), timed from their start (mc_start_clock), and so is any that
 * took more than a quarter of the timeout (the estimate must follow a
 * slowing server at once), timed from its first wait: a request that never
 * waited found its reply there, and reads no clock. */
#define RTT_EVERY 8

/* The clock for a request's start (its deadline from then, its round trip
 * timed) for one in RTT_EVERY of the thread's, else 0. */
static uint64_t mc_start_clock(struct mc_thread *t)
{
	return ++t->rtt_tick % RTT_EVERY == 0 ? util_now_ns() : 0;
}

/* Server i answered the thread's request. */
static void mc_rtt_answered(struct mc_thread *t, int i)
{
	int64_t r;

	if (!t->timed || t->io.made)
		return;		/* no reply awaited, or a connection's making in its time */
	if (t->sent_ns) {
		mc_rtt_sample(t->s, i, (int64_t)(util_now_ns() - t->sent_ns));
	} else if (t->io.deadline) {
		r = (int64_t)(util_now_ns() - (t->io.deadline - t->io.timeout));
		if (r > mc_rto(t->s, i) / 4)
			mc_rtt_sample(t->s, i, r);
	}
}

/* A timeout on server i: back off as TCP does, until the next answer. */
static void mc_rto_backoff(struct mc_store *s, int i)
{
	int64_t rto = mc_rto(s, i);

	__atomic_store_n(&s->servers[i].rtt.rto, rto > s->rto_max / 2 ? s->rto_max : 2 * rto,
			 __ATOMIC_RELAXED);
}

/* A request to server i starts: its deadline is that server's timeout. */
static void mc_start(struct mc_thread *t, int i)
{
	int64_t rto = mc_rto(t->s, i);

	t->sent_ns = mc_start_clock(t);
	t->timed = true;
	mc_io_deadline(&t->io, (uint64_t)rto, t->sent_ns);
}

/* Enter an operation on t's handle (mc_io.h) with a request to server i:
 * its deadline starts, and a socket found no longer ours is dropped with
 * the handle's connections (never closed: mc_io keeps libmemcached off its
 * number), which libmemcached then makes again. */
static void mc_enter(struct mc_thread *t, int i)
{
	int64_t rto = mc_rto(t->s, i);

	mc_mem_catch_up(t);
	t->sent_ns = mc_start_clock(t);
	t->timed = true;
	if (mc_io_begin(&t->io, (uint64_t)rto, t->sent_ns))
		memcached_quit(t->mc);
}

/* A socket kept low (a soft RLIMIT_NOFILE below 256) is not kept between
 * operations: the program may count on every number it has. */
static void mc_leave(struct mc_thread *t)
{
	if (t->io.low) {
		memcached_quit(t->mc);
		t->io.low = false;
	}
	mc_io_end(&t->io);
}

/* ---- breaker and counting -------------------------------------------- */

static bool mc_is_timeout(memcached_st *mc, memcached_return_t rc)
{
	if (rc == MEMCACHED_TIMEOUT || rc == MEMCACHED_IN_PROGRESS)
		return true;
	if (rc == MEMCACHED_ERRNO) {
		int e = memcached_last_error_errno(mc);
		return e == ETIMEDOUT || e == EAGAIN || e == EINPROGRESS;
	}
	return false;
}

/* Answers that come from a healthy server, even when the request failed. */
static bool mc_server_answered(memcached_return_t rc)
{
	switch (rc) {
	case MEMCACHED_SUCCESS:
	case MEMCACHED_END:
	case MEMCACHED_NOTFOUND:
	case MEMCACHED_STORED:
	case MEMCACHED_NOTSTORED:
	case MEMCACHED_DATA_EXISTS:
	case MEMCACHED_DELETED:
	case MEMCACHED_E2BIG:
	case MEMCACHED_SERVER_MEMORY_ALLOCATION_FAILURE:
	case MEMCACHED_SERVER_ERROR:
		return true;
	default:
		return false;
	}
}

static int mc_server_of(struct mc_thread *t, const char *key, size_t len)
{
	uint32_t i;

	if (t->s->nservers == 1)
		return 0;
	if (len == t->last_len && !memcmp(key, t->last_key, len))
		return t->last_server;	/* no second MD5 of the same key */
	i = memcached_generate_hash(t->mc, key, len);
	i = i < (uint32_t)t->s->nservers ? i : 0;
	if (len <= sizeof t->last_key) {
		memcpy(t->last_key, key, len);
		t->last_len = len;
		t->last_server = (int)i;
	}
	return (int)i;
}

/* May a request go to server i now? false = fail fast. */
static bool mc_breaker_admit(struct mc_store *s, int i)
{
	struct mc_breaker *b = &s->servers[i].br;
	int64_t until = __atomic_load_n(&b->open_until, __ATOMIC_ACQUIRE);
	int zero = 0;

	if (until == 0)
		return true;
	if ((int64_t)util_now_ns() < until)
		return false;
	/* Backoff over: exactly one request probes. */
	return __atomic_compare_exchange_n(&b->probing, &zero, 1, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static void mc_breaker_success(struct mc_thread *t, int i, struct memo_stats *st)
{
	struct mc_store *s = t->s;
	struct mc_breaker *b = &s->servers[i].br;
	bool reconnected = false;

	if (t->bad & (1ULL << i)) {
		t->bad &= ~(1ULL << i);
		reconnected = true;
	}
	if (__atomic_exchange_n(&b->fails, 0, __ATOMIC_ACQ_REL) != 0)
		__atomic_fetch_sub(&s->troubled, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&b->open_until, 0, __ATOMIC_ACQ_REL) != 0) {
		__atomic_store_n(&b->probing, 0, __ATOMIC_RELEASE);
		log_info("'%s:%u': memcached server is back", s->servers[i].host,
			 s->servers[i].port);
		reconnected = true;
	}
	if (reconnected && st)
		STAT_ADD(st, reconnects, 1);
}

static void mc_breaker_failure(struct mc_thread *t, int i, memcached_return_t rc)
{
	struct mc_store *s = t->s;
	struct mc_breaker *b = &s->servers[i].br;
	int f = __atomic_add_fetch(&b->fails, 1, __ATOMIC_ACQ_REL);
	int64_t backoff = MC_BACKOFF_NS;
	int k;

	t->bad |= 1ULL << i;
	if (f == 1)
		__atomic_fetch_add(&s->troubled, 1, __ATOMIC_RELAXED);
	if (f < MC_BREAK_AFTER)
		return;
	for (k = MC_BREAK_AFTER; k < f && backoff < MC_BACKOFF_MAX_NS; k++)
		backoff *= 2;
	if (backoff > MC_BACKOFF_MAX_NS)
		backoff = MC_BACKOFF_MAX_NS;
	if (f == MC_BREAK_AFTER && (rc == MEMCACHED_AUTH_FAILURE || rc == MEMCACHED_AUTH_PROBLEM))
		log_warn("'%s:%u': memcached refused sasl authentication of '%s'; asking again in %lld ms",
			 s->servers[i].host, s->servers[i].port, s->sasl_user,
			 (long long)(backoff / 1000000));
	else if (f == MC_BREAK_AFTER)
		log_warn("'%s:%u': memcached server does not answer; asking again in %lld ms",
			 s->servers[i].host, s->servers[i].port, (long long)(backoff / 1000000));
	__atomic_store_n(&b->open_until, (int64_t)util_now_ns() + backoff, __ATOMIC_RELEASE);
	__atomic_store_n(&b->probing, 0, __ATOMIC_RELEASE);
}

/* Gate before a single-key request: the server index (its timeout is
 * that server's), or -1 = fail fast. The breaker is read only when some
 * server is in trouble. A server this handle has not reached yet is not
 * asked inside a signal handler (resolving its address allocates): -2,
 * not counted (a get counts it as bypassed: mc_held_back). */
#define MC_GATE_HELD (-2)

static int mc_gate(struct mc_thread *t, const char *key, size_t len, struct memo_stats *st)
{
	int i = mc_server_of(t, key, len);

	if (!(t->answered >> i & 1) && !mc_may_allocate(t->s))
		return MC_GATE_HELD;
	if (!t->bad && !__atomic_load_n(&t->s->troubled, __ATOMIC_RELAXED))
		return i;	/* all healthy */
	if (!mc_breaker_admit(t->s, i)) {
		if (st)
			STAT_ADD(st, errors, 1);
		return -1;
	}
	return i;
}

/* Account for the outcome of a request on `key` (gated as `i`, or -1):
 * its round trip when answered, its breaker. Returns the store result for
 * a failure, or 0 when the server answered. */
static int mc_account(struct mc_thread *t, int i, const char *key, size_t len,
		      memcached_return_t rc, struct memo_stats *st)
{
	if (i < 0)
		i = mc_server_of(t, key, len);
	if (mc_server_answered(rc)) {
		t->answered |= 1ULL << i;
		mc_rtt_answered(t, i);
		if (t->bad || __atomic_load_n(&t->s->troubled, __ATOMIC_RELAXED))
			mc_breaker_success(t, i, st);
		return 0;
	}
	t->answered &= ~(1ULL << i);
	mc_breaker_failure(t, i, rc);
	if (mc_is_timeout(t->mc, rc)) {
		mc_rto_backoff(t->s, i);
		if (st)
			STAT_ADD(st, timeouts, 1);
		log_debug("'%s:%u': memcached timeout: %s", t->s->servers[i].host,
			  t->s->servers[i].port, memcached_last_error_message(t->mc));
		/* The deadline may cut a reply in two: the stream starts over. */
		memcached_quit(t->mc);
		return STORE_TIMEOUT;
	}
	if (st)
		STAT_ADD(st, errors, 1);
	log_debug("'%s:%u': memcached error: %s", t->s->servers[i].host,
		  t->s->servers[i].port, memcached_last_error_message(t->mc));
	return STORE_ERROR;
}

/* ---- item size --------------------------------------------------------- */

static memcached_return_t mc_settings_cb(const memcached_instance_st *server,
					 const char *key, size_t klen, const char *val,
					 size_t vlen, void *ctx)
{
	size_t *min = ctx;
	char buf[32];
	unsigned long long v;

	(void)server;
	if (klen == 13 && !memcmp(key, "item_size_max", 13) && vlen < sizeof buf) {
		memcpy(buf, val, vlen);
		buf[vlen] = 0;
		v = strtoull(buf, NULL, 10);
		if (v >= MC_MIN_ITEM_MAX && (*min == 0 || v < *min))
			*min = v;
	}
	return MEMCACHED_SUCCESS;
}

/* The largest item we write: read once from `stats settings` (the smallest
 * item_size_max of the servers that answer), else 1 MiB assumed. */
static size_t mc_chunk_size(struct mc_thread *t)
{
	struct mc_store *s = t->s;
	int zero = 0;
	size_t min = 0;

	if (__atomic_load_n(&s->item_probe, __ATOMIC_ACQUIRE) == 2)
		return s->chunk_size;
	if (!mc_may_allocate(s))	/* it asks every server, some maybe not reached yet */
		return MC_DEFAULT_ITEM_MAX - MC_ITEM_OVERHEAD;
	if (!__atomic_compare_exchange_n(&s->item_probe, &zero, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return MC_DEFAULT_ITEM_MAX - MC_ITEM_OVERHEAD;	/* another thread reads it */
	mc_io_deadline(&t->io, (uint64_t)mc_rto_all(s), 0);
	memcached_stat_execute(t->mc, "settings", mc_settings_cb, &min);
	if (min == 0)
		min = MC_DEFAULT_ITEM_MAX;
	s->chunk_size = min - MC_ITEM_OVERHEAD;
	log_debug("memcached item size: %zu bytes per item", s->chunk_size);
	__atomic_store_n(&s->item_probe, 2, __ATOMIC_RELEASE);
	return s->chunk_size;
}

/* ---- manifest ---------------------------------------------------------- */

/* Manifest, 64 bytes little-endian: u32 magic, u32 chunk count, u64 total
 * length, u64 write id, u64 chunk size, digest[32] = BLAKE2b-256(value). */
struct mc_manifest {
	uint32_t nchunks;
	uint64_t total, id, chunk;
	uint8_t digest[32];
};

/* A lease's expiry for memcached: whole seconds counted by a clock that
 * ticks once a second, so one more than ttl_ms rounded up (mc_lease). */
static time_t mc_lease_expiry(int ttl_ms)
{
	return (time_t)((ttl_ms + 999) / 1000 + 1);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void mc_manifest_encode(const struct mc_manifest *m, uint8_t out[MC_MANIFEST_SIZE])
{
	put64(out, MC_MANIFEST_MAGIC | (uint64_t)m->nchunks << 32);
	put64(out + 8, m->total);
	put64(out + 16, m->id);
	put64(out + 24, m->chunk);
	memcpy(out + 32, m->digest, 32);
}

static bool mc_manifest_decode(const uint8_t *p, size_t len, struct mc_manifest *m)
{
	uint64_t w;

	if (len != MC_MANIFEST_SIZE)
		return false;
	w = get64(p);
	if ((uint32_t)w != MC_MANIFEST_MAGIC)
		return false;
	m->nchunks = (uint32_t)(w >> 32);
	m->total = get64(p + 8);
	m->id = get64(p + 16);
	m->chunk = get64(p + 24);
	memcpy(m->digest, p + 32, 32);
	/* The counts must agree, and stay within what memcached could hold:
	 * its smallest item size (-I 1k) less our allowance gives the least
	 * chunk a writer makes (mc_chunk_size). */
	return m->chunk >= MC_MIN_ITEM_MAX - MC_ITEM_OVERHEAD && m->chunk <= MC_VALUE_MAX &&
	       m->nchunks > 0 &&
	       m->nchunks < (1U << 16) &&
	       m->total > (uint64_t)(m->nchunks - 1) * m->chunk &&
	       m->total <= (uint64_t)m->nchunks * m->chunk;
}

static size_t mc_chunk_key(char *out, const struct memo_key *k, uint64_t id, uint32_t n)
{
	return (size_t)snprintf(out, MC_CHUNK_KEY_MAX, "%.*s.%016" PRIx64 ".c%" PRIu32,
				(int)k->textlen, k->text, id, n);
}

/* ---- get ---------------------------------------------------------------- */

/* A get that would allocate inside a signal handler (store.h), for `why`:
 * a miss, counted as bypassed, and the call computes. Said once, at info
 * level: a handler's calls are served whenever the thread has reached the
 * server and the value fits MC_RESULT_PRESIZE, unchunked. */
static int mc_held_back(const struct memo_key *k, const char *why, struct memo_stats *st)
{
	static int said;

	if (st)
		STAT_ADD(st, bypassed, 1);
	if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		log_info("'%.*s': not read from memcached inside a signal handler: %s would need the "
			 "heap; such calls compute there", (int)k->textlen, k->text, why);
	return STORE_MISS;
}

/* Fetch every chunk the manifest names with one multi-get into out. */
static int mc_get_chunks(struct mc_thread *t, const struct memo_key *k,
			 const struct mc_manifest *m, struct membuf *out,
			 struct memo_stats *st)
{
	char (*keys)[MC_CHUNK_KEY_MAX] = NULL;
	const char **kp = NULL;
	size_t *kl = NULL;
	uint8_t *seen = NULL;
	/* On our stack, not allocated: fetch_result frees allocated results at
	 * the end of a multi-get, and we free this one's buffer ourselves. */
	memcached_result_st rs, *r = NULL;
	memcached_return_t rc;
	uint8_t digest[32];
	size_t base = out->len;
	uint32_t i, got = 0;
	int ret = STORE_MISS;

	if (!mc_may_allocate(t->s))
		return mc_held_back(k, "a value in chunks", st);
	if (membuf_reserve(out, base + m->total) < 0)
		return STORE_ERROR;
	keys = malloc(m->nchunks * sizeof *keys);
	kp = malloc(m->nchunks * sizeof *kp);
	kl = malloc(m->nchunks * sizeof *kl);
	seen = calloc(m->nchunks, 1);
	if (!keys || !kp || !kl || !seen)
		goto out;
	for (i = 0; i < m->nchunks; i++) {
		kl[i] = mc_chunk_key(keys[i], k, m->id, i);
		kp[i] = keys[i];
		if (!mc_breaker_admit(t->s, mc_server_of(t, keys[i], kl[i]))) {
			if (st)
				STAT_ADD(st, errors, 1);
			ret = STORE_ERROR;
			goto out;
		}
	}
	/* A multi-get spans servers and libmemcached reports one code for all:
	 * a failure is charged to the first chunk's server, which is right
	 * whenever the chunks share it and errs only towards asking less. */
	t->refused = false;
	mc_io_deadline(&t->io, (uint64_t)mc_rto(t->s, mc_server_of(t, kp[0], kl[0])) * m->nchunks, 0);
	t->timed = false;	/* several round trips */
	rc = memcached_mget(t->mc, kp, kl, m->nchunks);
	if (rc == MEMCACHED_SOME_ERRORS && st)
		STAT_ADD(st, errors, 1);	/* some chunks went unasked: a miss below */
	if (rc != MEMCACHED_SUCCESS && rc != MEMCACHED_SOME_ERRORS) {
		ret = mc_account(t, -1, kp[0], kl[0], rc, st);
		goto out;
	}
	r = memcached_result_create(t->mc, &rs);
	while (r && memcached_fetch_result(t->mc, r, &rc)) {
		const char *rk = memcached_result_key_value(r);
		size_t rkl = memcached_result_key_length(r);
		size_t vlen = memcached_result_length(r);
		const char *p = rk + rkl;
		uint64_t want, idx = 0, mul = 1;

		/* The index is the number after the last ".c". */
		while (p > rk && p[-1] >= '0' && p[-1] <= '9' && mul < 100000000) {
			idx += (uint64_t)(p[-1] - '0') * mul;
			mul *= 10;
			p--;
		}
		i = p - rk >= 2 && p[-1] == 'c' && p[-2] == '.' && mul > 1 ? (uint32_t)idx
									 : m->nchunks;
		if (i >= m->nchunks || seen[i])
			continue;
		want = i + 1 < m->nchunks ? m->chunk : m->total - (uint64_t)i * m->chunk;
		if (vlen != want) {
			ret = -100;	/* finish draining, then reject */
			continue;
		}
		memcpy(out->data + base + (size_t)i * m->chunk, memcached_result_value(r), vlen);
		seen[i] = 1;
		got++;
	}
	if (t->refused || t->io.bad_length) {	/* as in mc_fetch */
		memcached_quit(t->mc);
		log_debug("'%.*s': memcached announced a chunk length that is no number below %u",
			  (int)k->textlen, k->text, MC_VALUE_MAX);
		ret = mc_account(t, -1, kp[0], kl[0], MEMCACHED_MEMORY_ALLOCATION_FAILURE, st);
		goto out;
	}
	if (rc != MEMCACHED_END && rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND &&
	    ret != -100) {
		ret = mc_account(t, -1, kp[0], kl[0], rc, st);
		goto out;
	}
	if (ret == -100) {
		if (st)
			STAT_ADD(st, rejected, 1);
		log_debug("'%.*s': a memcached chunk has the wrong length", (int)k->textlen, k->text);
		ret = STORE_MISS;
		goto out;
	}
	if (got != m->nchunks) {
		ret = STORE_MISS;	/* evicted chunks: a plain miss */
		goto out;
	}
	b2(digest, out->data + base, NULL, sizeof digest, m->total, 0);
	if (memcmp(digest, m->digest, sizeof digest)) {
		if (st)
			STAT_ADD(st, rejected, 1);
		log_debug("'%.*s': memcached chunks do not match their manifest",
			  (int)k->textlen, k->text);
		goto out;
	}
	out->len = base + m->total;
	ret = STORE_HIT;
out:
	if (r)
		memcached_result_free(r);
	free(keys);
	free(kp);
	free(kl);
	free(seen);
	return ret;
}

/* A hit whose lookup took the lease: delete it without waiting for the
 * reply (noreply, written at once): nothing was computed under it, and a
 * waiter that still sees it finds the entry at its next poll. */
static void mc_lease_drop_noreply(struct mc_thread *t, const struct memo_key *k,
				  const struct memo_key *lease)
{
	memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_NOREPLY, 1);
	memcached_delete_by_key(t->mc, k->text, k->textlen, lease->text, lease->textlen, 0);
	memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_NOREPLY, 0);
}

/* Get the main item (with its cas when `token`), then its chunks if any.
 * With `lease` (single flight), the lease's key is asked in the same get on
 * the item's server (by key: records a lease on that server too), and *held
 * says whose it is. With `owner` too, the lease is first taken: an `add
 * ... noreply` written before the get, on the same connection, which the
 * server answers in order: the get then shows the lease as the add left it,
 * ours if the add won. */
static int mc_fetch(struct mc_store *s, const struct memo_key *k, const struct memo_key *lease,
		    uint64_t owner, int ttl_ms, struct membuf *out, uint64_t *token, int *held,
		    struct memo_stats *st)
{
	struct mc_thread *t = mc_thread_get(s, st);
	const char *key = k->text;
	size_t klen = k->textlen;
	const char *keys[2] = { key, lease ? lease->text : NULL };
	size_t lens[2] = { klen, lease ? lease->textlen : 0 };
	memcached_result_st *r;
	memcached_return_t rc;
	struct mc_manifest m;
	size_t len = 0, base = out->len;
	bool found = false, manifest = false, good = false, skipped = false;
	char mine[8];
	int i, ret;

	if (token)
		*token = 0;
	if (held)
		*held = STORE_LEASE_FREE;
	if (!t)
		return mc_may_allocate(s) ? STORE_ERROR : mc_held_back(k, "the thread's handle", st);
	i = mc_gate(t, key, klen, st);
	if (i == MC_GATE_HELD)
		return mc_held_back(k, "the thread's first request to its server", st);
	if (i < 0)
		return STORE_ERROR;
	mc_enter(t, i);
	if (token)
		memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_SUPPORT_CAS, 1);
	t->refused = false;
	t->held_back = false;
	rc = MEMCACHED_SUCCESS;
	if (lease && owner) {
		put64((uint8_t *)mine, owner);
		memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_NOREPLY, 1);
		rc = memcached_add_by_key(t->mc, key, klen, lease->text, lease->textlen, mine,
					  sizeof mine, mc_lease_expiry(ttl_ms), 0);
		memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_NOREPLY, 0);
	}
	if (rc == MEMCACHED_SUCCESS)
		rc = lease ? memcached_mget_by_key(t->mc, key, klen, keys, lens, 2) :
		     memcached_mget(t->mc, keys, lens, 1);
	if (rc != MEMCACHED_SUCCESS) {
		ret = mc_account(t, i, key, klen, rc, st);
		goto done;
	}
	/* Each item is taken as it comes: the next fetch resets t->res. The
	 * last fetch reads END: the connection is then clean. */
	while ((r = memcached_fetch_result(t->mc, &t->res, &rc)) != NULL) {
		const char *rk = memcached_result_key_value(r);
		size_t rkl = memcached_result_key_length(r);

		if (lease && rkl == lens[1] && !memcmp(rk, keys[1], rkl)) {
			*held = owner && memcached_result_length(r) == sizeof mine &&
				!memcmp(memcached_result_value(r), mine, sizeof mine) ?
				STORE_LEASE_OURS : STORE_LEASE_OTHER;
			continue;
		}
		/* A reply for another key (or the key twice) means the stream is
		 * out of step (a reply that arrived after its request timed out):
		 * never return it, and start over on fresh connections. */
		if (found || rkl != klen || memcmp(rk, key, klen)) {
			memcached_quit(t->mc);
			ret = mc_account(t, i, key, klen, MEMCACHED_PROTOCOL_ERROR, st);
			goto done;
		}
		len = memcached_result_length(r);
		/* A length no memcached can send (`VALUE k 0 -1` wraps
		 * libmemcached's arithmetic into SIZE_MAX, and it read one byte):
		 * nothing is reserved for it, and the stream, out of step, starts
		 * over. */
		if (len >= MC_VALUE_MAX) {
			memcached_quit(t->mc);
			log_debug("'%.*s': memcached announced a value of %zu bytes", (int)klen, key, len);
			ret = mc_account(t, i, key, klen, MEMCACHED_PROTOCOL_ERROR, st);
			goto done;
		}
		found = true;
		if (token)
			*token = memcached_result_cas(r);
		manifest = memcached_result_flags(r) == MC_FLAG_MANIFEST;
		if (manifest) {
			good = mc_manifest_decode((const uint8_t *)memcached_result_value(r), len, &m);
		} else if (base + len > out->cap && !mc_may_allocate(s)) {
			skipped = true;	/* read whole: the reply goes on to its END */
		} else {
			if (membuf_reserve(out, base + len) < 0) {
				memcached_quit(t->mc);	/* the rest of the reply is unread */
				ret = STORE_ERROR;
				goto done;
			}
			memcpy(out->data + base, memcached_result_value(r), len);
		}
	}
	/* A value too long to allocate (mc_mem_realloc) is still in the
	 * stream; fetch_result called it not found. */
	if (t->refused || t->io.bad_length) {
		memcached_quit(t->mc);
		log_debug("'%.*s': memcached announced a value length that is no number below %u",
			  (int)klen, key, MC_VALUE_MAX);
		rc = MEMCACHED_MEMORY_ALLOCATION_FAILURE;
	} else if (t->held_back || skipped) {
		/* Inside a signal handler, a value larger than the thread's
		 * buffers (libmemcached's, refused by mc_mem_grant, is still in
		 * the stream; the caller's was read whole): the server answered,
		 * the call computes. */
		if (t->held_back)
			memcached_quit(t->mc);
		mc_account(t, i, key, klen, MEMCACHED_SUCCESS, st);
		ret = mc_held_back(k, "a value larger than the thread's buffer", st);
		goto done;
	}
	/* END: the reply is whole. Anything else: the server failed us. */
	if (rc != MEMCACHED_END && rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND) {
		ret = mc_account(t, i, key, klen, rc, st);
		goto done;
	}
	mc_account(t, i, key, klen, MEMCACHED_SUCCESS, st);
	if (!found) {
		ret = STORE_MISS;
	} else if (!manifest) {
		out->len = base + len;
		ret = STORE_HIT;
	} else if (!good) {
		if (st)
			STAT_ADD(st, rejected, 1);
		log_debug("'%.*s': malformed memcached manifest", (int)klen, key);
		ret = STORE_MISS;
	} else {
		ret = mc_get_chunks(t, k, &m, out, st);
	}
done:
	if (token)
		memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_SUPPORT_CAS, 0);
	if (ret == STORE_HIT && held && *held == STORE_LEASE_OURS)
		mc_lease_drop_noreply(t, k, lease);
	mc_leave(t);
	if (ret != STORE_HIT && token)
		*token = 0;
	return ret;
}

static int mc_get(struct store *base, const struct memo_key *k, struct membuf *out,
		  struct memo_stats *st)
{
	return mc_fetch((struct mc_store *)base, k, NULL, 0, 0, out, NULL, NULL, st);
}

static int mc_gets(struct store *base, const struct memo_key *k, struct membuf *out,
		   uint64_t *token, struct memo_stats *st)
{
	return mc_fetch((struct mc_store *)base, k, NULL, 0, 0, out, token, NULL, st);
}

/* One exchange to the entry's server: `get ENTRY LEASE`, after `add LEASE
 * ... noreply` when taking it. Not over the binary protocol (SASL), whose
 * quiet add would report a failure out of band: the caller then takes the
 * lease with a plain `add` after a miss. */
static int mc_get_leased(struct store *base, const struct memo_key *k,
			 const struct memo_key *lease, uint64_t owner, int ttl_ms,
			 struct membuf *out, int *held, struct memo_stats *st)
{
	struct mc_store *s = (struct mc_store *)base;

	return mc_fetch(s, k, lease, s->sasl ? 0 : owner, ttl_ms, out, NULL, held, st);
}

/* ---- set ---------------------------------------------------------------- */

enum mc_mode { MC_SET, MC_SET_NOREPLY, MC_CAS, MC_ADD };

/* One item, acknowledged by the server (except MC_SET_NOREPLY, see above). */
static int mc_put_item(struct mc_thread *t, const char *key, size_t klen,
		       const void *val, size_t len, uint32_t flags, enum mc_mode mode,
		       uint64_t token, struct memo_stats *st)
{
	memcached_return_t rc;
	int i = mc_gate(t, key, klen, st);

	if (i < 0)
		return STORE_ERROR;
	mc_start(t, i);
	if (mode == MC_CAS)
		rc = memcached_cas(t->mc, key, klen, val, len, 0, flags, token);
	else if (mode == MC_ADD)
		rc = memcached_add(t->mc, key, klen, val, len, 0, flags);
	else if (mode == MC_SET_NOREPLY) {
		memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_NOREPLY, 1);
		t->timed = false;	/* no reply: no round trip */
		rc = memcached_set(t->mc, key, klen, val, len, 0, flags);
		memcached_behavior_set(t->mc, MEMCACHED_BEHAVIOR_NOREPLY, 0);
	} else
		rc = memcached_set(t->mc, key, klen, val, len, 0, flags);
	i = mc_account(t, i, key, klen, rc, st);
	if (i)
		return i;
	if (rc == MEMCACHED_SUCCESS || rc == MEMCACHED_STORED)
		return STORE_HIT;
	if (rc == MEMCACHED_DATA_EXISTS || rc == MEMCACHED_NOTSTORED ||
	    rc == MEMCACHED_NOTFOUND)
		return STORE_CONFLICT;
	/* Refused by a healthy server (too large, out of memory): not stored. */
	if (st)
		STAT_ADD(st, errors, 1);
	log_debug("'%.*s': memcached refused the item: %s", (int)klen, key,
		  memcached_strerror(t->mc, rc));
	return STORE_ERROR;
}

static int mc_put_in(struct mc_thread *t, const struct memo_key *k, const void *val,
		     size_t len, enum mc_mode mode, uint64_t token, struct memo_stats *st)
{
	struct mc_store *s = t->s;
	uint8_t manifest[MC_MANIFEST_SIZE];
	char ck[MC_CHUNK_KEY_MAX];
	struct mc_manifest m;
	size_t chunk;
	uint32_t n;
	int ret;

	chunk = mc_chunk_size(t);
	if (mode == MC_SET && len <= chunk / 2 && !s->sasl)
		mode = MC_SET_NOREPLY;
	if (len <= chunk)
		return mc_put_item(t, k->text, k->textlen, val, len, 0, mode, token, st);
	/* Chunks first, each acknowledged; the manifest last makes them visible. */
	m.chunk = chunk;
	m.total = len;
	m.nchunks = (uint32_t)((len + chunk - 1) / chunk);
	if (getrandom(&m.id, sizeof m.id, 0) != sizeof m.id)
		m.id = util_now_ns() ^ ((uint64_t)getpid() << 32);
	b2(m.digest, val, NULL, sizeof m.digest, len, 0);
	for (n = 0; n < m.nchunks; n++) {
		size_t off = (size_t)n * chunk;
		size_t cl = len - off < chunk ? len - off : chunk;
		size_t kl = mc_chunk_key(ck, k, m.id, n);

		ret = mc_put_item(t, ck, kl, (const uint8_t *)val + off, cl, 0, MC_SET, 0, st);
		if (ret != STORE_HIT)
			return ret == STORE_CONFLICT ? STORE_ERROR : ret;
	}
	mc_manifest_encode(&m, manifest);
	return mc_put_item(t, k->text, k->textlen, manifest, sizeof manifest,
			   MC_FLAG_MANIFEST, mode, token, st);
}

/* One item, or its chunks and then its manifest: each item has its
 * server's timeout (mc_put_item). */
static int mc_put(struct mc_store *s, const struct memo_key *k, const void *val,
		  size_t len, enum mc_mode mode, uint64_t token, struct memo_stats *st)
{
	struct mc_thread *t = mc_thread_get(s, st);
	int ret;

	if (!t)
		return STORE_ERROR;
	mc_enter(t, 0);
	ret = mc_put_in(t, k, val, len, mode, token, st);
	mc_leave(t);
	return ret;
}

static int mc_set(struct store *base, const struct memo_key *k, const void *val,
		  size_t len, struct memo_stats *st)
{
	return mc_put((struct mc_store *)base, k, val, len, MC_SET, 0, st);
}

static int mc_cas(struct store *base, const struct memo_key *k, const void *val,
		  size_t len, uint64_t token, struct memo_stats *st)
{
	return mc_put((struct mc_store *)base, k, val, len, token ? MC_CAS : MC_ADD, token, st);
}

/* Deletes the main key; chunks of a chunked entry are left for the LRU
 * (without their manifest nobody can reach them). */
static int mc_del(struct store *base, const struct memo_key *k, struct memo_stats *st)
{
	struct mc_thread *t = mc_thread_get((struct mc_store *)base, st);
	memcached_return_t rc;
	int i, ret;

	if (!t)
		return STORE_ERROR;
	i = mc_gate(t, k->text, k->textlen, st);
	if (i < 0)
		return STORE_ERROR;
	mc_enter(t, i);
	rc = memcached_delete(t->mc, k->text, k->textlen, 0);
	ret = mc_account(t, i, k->text, k->textlen, rc, st);
	mc_leave(t);
	if (ret)
		return ret;
	return rc == MEMCACHED_SUCCESS || rc == MEMCACHED_DELETED ? STORE_HIT : STORE_MISS;
}

/* ---- single flight lease (store.h `lease`) ------------------------------ */

/* Whether k's lease is still `val` (its owner's): SUCCESS if so, NOTFOUND
 * if it is gone or another's, else the request's failure. Read into the
 * thread's result buffer, as mc_fetch reads, not into a block of its own
 * (memcached_get's): this may run inside a signal handler. A reply too
 * large for the buffer there is dropped, and the lease left to expire. */
static memcached_return_t mc_lease_is(struct mc_thread *t, const struct memo_key *k,
				      const struct memo_key *lease, const char val[8])
{
	const char *keys[1] = { lease->text };
	size_t lens[1] = { lease->textlen };
	memcached_return_t rc, end = MEMCACHED_END;
	memcached_result_st *r;
	bool ours = false;

	t->refused = false;
	t->held_back = false;
	rc = memcached_mget_by_key(t->mc, k->text, k->textlen, keys, lens, 1);
	if (rc != MEMCACHED_SUCCESS)
		return rc;
	while ((r = memcached_fetch_result(t->mc, &t->res, &end)) != NULL)
		ours = memcached_result_key_length(r) == lens[0] &&
		       !memcmp(memcached_result_key_value(r), keys[0], lens[0]) &&
		       memcached_result_length(r) == 8 && !memcmp(memcached_result_value(r), val, 8);
	if (t->refused || t->held_back) {
		memcached_quit(t->mc);	/* the value is still in the stream */
		return MEMCACHED_NOTFOUND;
	}
	if (end != MEMCACHED_END && end != MEMCACHED_SUCCESS && end != MEMCACHED_NOTFOUND)
		return end;
	return ours ? MEMCACHED_SUCCESS : MEMCACHED_NOTFOUND;
}

/* The lease lives on its entry's server (libmemcached's _by_key calls with
 * the entry's key as master key): a server lost takes a lease only with its
 * entry, and `get ENTRY LEASE` asks both at once (mc_get_leased).
 * `add` decides: exactly one caller creates the lease key; its expiry ends a
 * dead holder's lease without anyone's help. memcached counts expiry in whole
 * seconds from a clock that ticks once a second, so the lease is given one
 * second more than ttl_ms rounded up: it lasts at least ttl_ms, at most ~2 s
 * more. After a set, the lease is deleted at once: the set (noreply for a
 * small value, mc_put_in) and the delete go down one connection to one
 * server, which answers them in order, so the set costs no round trip of
 * its own and a waiter that sees the lease gone finds the entry. Without a
 * result, dropping reads the lease and deletes it only if it is still ours
 * (memcached has no compare-and-delete: a lease that expires and passes to
 * another in the one round trip between would be deleted; that costs at most
 * one more computation, never a wrong result). */
static int mc_lease(struct store *base, const struct memo_key *k, const struct memo_key *lease,
		    uint64_t owner, int ttl_ms, struct memo_stats *st)
{
	struct mc_thread *t = mc_thread_get((struct mc_store *)base, st);
	memcached_return_t rc;
	char val[8];
	int i, r;

	if (!t)
		return STORE_ERROR;
	i = mc_gate(t, k->text, k->textlen, st);
	if (i < 0)
		return STORE_ERROR;
	put64((uint8_t *)val, owner);
	mc_enter(t, i);
	if (ttl_ms > 0) {
		rc = memcached_add_by_key(t->mc, k->text, k->textlen, lease->text, lease->textlen,
					  val, sizeof val, mc_lease_expiry(ttl_ms), 0);
	} else {
		rc = MEMCACHED_SUCCESS;
		if (ttl_ms == 0)	/* another's now: left alone */
			rc = mc_lease_is(t, k, lease, val);
		if (rc == MEMCACHED_SUCCESS) {
			mc_start(t, i);	/* a second round trip */
			rc = memcached_delete_by_key(t->mc, k->text, k->textlen, lease->text,
						     lease->textlen, 0);
		}
	}
	r = mc_account(t, i, k->text, k->textlen, rc, st);
	mc_leave(t);
	if (r)
		return r;
	if (rc == MEMCACHED_SUCCESS || rc == MEMCACHED_STORED || rc == MEMCACHED_DELETED)
		return STORE_HIT;
	if (rc == MEMCACHED_NOTFOUND)
		return STORE_MISS;
	if (rc == MEMCACHED_DATA_EXISTS || rc == MEMCACHED_NOTSTORED)
		return STORE_CONFLICT;
	if (st)
		STAT_ADD(st, errors, 1);
	return STORE_ERROR;
}

/* ---- lifecycle and report ------------------------------------------- */

static void mc_after_fork(struct store *base)
{
	struct mc_store *s = (struct mc_store *)base;

	/* Every handle created before now belongs to the parent's sockets. */
	__atomic_fetch_add(&s->gen, 1, __ATOMIC_RELAXED);
}

/* Each server asked on its own connection (memcached_stat's array follows
 * libmemcached's own server order, not the config's), with the configured
 * timeouts: a dead or stopped server is reported down, not waited for. */
static void mc_report(struct store *base, FILE *out)
{
	struct mc_store *s = (struct mc_store *)base;
	int i;

	for (i = 0; i < s->nservers; i++) {
		struct mc_server *sv = &s->servers[i];
		bool open = __atomic_load_n(&sv->br.open_until, __ATOMIC_RELAXED) != 0;
		memcached_stat_st x;
		memcached_return_t rc;
		uint64_t h, m;

		memset(&x, 0, sizeof x);
		rc = open ? MEMCACHED_SERVER_MARKED_DEAD :
		     memcached_stat_servername(&x, NULL, sv->host, sv->port);
		if (rc != MEMCACHED_SUCCESS || x.pid == 0) {
			fprintf(out, "memcached %s:%u down (%s)\n", sv->host, sv->port,
				open ? "not answering; asked again after a backoff" :
				memcached_strerror(NULL, rc));
			continue;
		}
		h = x.get_hits;
		m = x.get_misses;
		fprintf(out, "memcached %s:%u up items=%" PRIu64 " bytes=%" PRIu64
			" limit=%" PRIu64 " hits=%" PRIu64 " misses=%" PRIu64 " hit_ratio=%.3f\n",
			sv->host, sv->port, (uint64_t)x.curr_items, (uint64_t)x.bytes,
			(uint64_t)x.limit_maxbytes, h, m, h + m ? (double)h / (double)(h + m) : 0.0);
	}
}

/* Frees this thread's handle; other threads' handles go with their threads
 * only while the key lives, so free the store last, at exit. */
static void mc_free(struct store *base)
{
	struct mc_store *s = (struct mc_store *)base;
	struct mc_thread *t = pthread_getspecific(s->tkey);

	if (t) {
		pthread_setspecific(s->tkey, NULL);
		mc_thread_destroy(t);
	}
	pthread_key_delete(s->tkey);
	memset(s->sasl_password, 0, sizeof s->sasl_password);
	free(s);
}

static int mc_server_of_key(struct store *base, const struct memo_key *k)
{
	struct mc_thread *t = mc_thread_get((struct mc_store *)base, NULL);

	return t ? mc_server_of(t, k->text, k->textlen) : 0;
}

static const struct store_ops mc_ops = {
	.name = "memcached",
	.get = mc_get,
	.set = mc_set,
	.gets = mc_gets,
	.cas = mc_cas,
	.del = mc_del,
	.after_fork = mc_after_fork,
	.report = mc_report,
	.free = mc_free,
	.lease = mc_lease,
	.server_of = mc_server_of_key,
	.get_leased = mc_get_leased,
};

/* "host:port, host:port" (port 11211 when left out). */
static int mc_parse_servers(struct mc_store *s, const struct cache_config *c)
{
	const char *p = c->servers;

	while (*p) {
		const char *e, *colon = NULL;
		struct mc_server *sv;
		size_t hl;
		char *end;
		long port = 11211;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		for (e = p; *e && *e != ',' && *e != ' ' && *e != '\t'; e++)
			if (*e == ':')
				colon = e;
		hl = (colon ? colon : e) - p;
		if (colon) {
			port = strtol(colon + 1, &end, 10);
			if (end != e || port <= 0 || port > 65535) {
				log_error("%s:%d: bad port in memcached server '%.*s'", c->file,
					  c->line, (int)(e - p), p);
				return -1;
			}
		}
		if (hl == 0 || hl >= sizeof s->servers[0].host) {
			log_error("%s:%d: bad memcached server '%.*s'", c->file, c->line,
				  (int)(e - p), p);
			return -1;
		}
		if (s->nservers == MC_MAX_SERVERS) {
			log_error("%s:%d: more than %d memcached servers", c->file, c->line,
				  MC_MAX_SERVERS);
			return -1;
		}
		sv = &s->servers[s->nservers++];
		memcpy(sv->host, p, hl);
		sv->host[hl] = 0;
		sv->port = (in_port_t)port;
		p = e;
	}
	if (s->nservers == 0) {
		log_error("%s:%d: 'servers' names no memcached server", c->file, c->line);
		return -1;
	}
	return 0;
}

static int mc_read_password(struct mc_store *s, const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f) {
		log_error("'%s': cannot read sasl password: %s", path, strerror(errno));
		return -1;
	}
	n = fread(s->sasl_password, 1, sizeof s->sasl_password - 1, f);
	fclose(f);
	while (n && (s->sasl_password[n - 1] == '\n' || s->sasl_password[n - 1] == '\r'))
		n--;
	s->sasl_password[n] = 0;
	return 0;
}

__attribute__((visibility("default")))
struct store *memo_store_memcached_open(const struct cache_config *c,
					const struct log_state *voice)
{
	struct mc_store *s;

	if (voice)
		log_state_set(voice);
	else
		log_init();	/* linked into its caller (memo, drivers): one voice already */
	s = calloc(1, sizeof *s);
	if (!s) {
		log_error("'memcached': out of memory");
		return NULL;
	}
	s->base.ops = &mc_ops;
	s->id = __atomic_add_fetch(&mc_stores_opened, 1, __ATOMIC_RELAXED);
	s->connect_timeout_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 50;
	s->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 50;
	s->rto_min = (int64_t)s->timeout_ms * 1000000;
	s->rto_max = c->timeout_max_ms > s->timeout_ms ? (int64_t)c->timeout_max_ms * 1000000
						       : s->rto_min;
	if (mc_parse_servers(s, c) < 0)
		goto fail;
	if (c->sasl_user[0] || c->sasl_password_file[0]) {
#if defined(LIBMEMCACHED_WITH_SASL_SUPPORT) && LIBMEMCACHED_WITH_SASL_SUPPORT
		if (!c->sasl_user[0] || !c->sasl_password_file[0]) {
			log_error("%s:%d: sasl needs both 'sasl_user' and 'sasl_password_file'",
				  c->file, c->line);
			goto fail;
		}
		s->sasl = true;
		snprintf(s->sasl_user, sizeof s->sasl_user, "%s", c->sasl_user);
		if (mc_read_password(s, c->sasl_password_file) < 0)
			goto fail;
#else
		log_error("%s:%d: 'sasl_user': this libmemcached was built without sasl support",
			  c->file, c->line);
		goto fail;
#endif
	}
	mc_io_install();
	if (pthread_key_create(&s->tkey, mc_thread_destroy)) {
		log_error("'memcached': no thread key left");
		goto fail;
	}
	return &s->base;
fail:
	free(s);
	return NULL;
}
