/*
 * flight: single flight (flight.h). Two levels, so that waiting costs the
 * store nothing when the other caller is a thread of this process:
 *
 * - In-process: a small table of keys being computed here (one mutex, one
 *   condition variable). A thread that finds its key in the table sleeps
 *   until the holder ends (woken at once, no polling), then looks the key
 *   up; if the holder stored nothing (a call faster than time_threshold, or
 *   a store failure) it computes without waiting more. A full table only
 *   means threads fall back on the store lease.
 * - Across processes and nodes: a lease in the store (records_lease_key)
 *   (store.h `lease`: memcached `add` with an expiry, on the entry's server;
 *   an O_EXCL file on the folder store). Its holder computes, stores, then
 *   drops the lease; the others poll with backoff (10 ms doubling to 100 ms,
 *   sleeping, never spinning), and take the lease when they find it free,
 *   so a lease that ends without a result (its holder was killed, or stored
 *   nothing) passes to exactly one of them.
 * - Round trips, on memcached: each lookup asks the entry and its lease in
 *   one request (flight_get). When the function's last call missed (a
 *   per-function flag, hook.h flight_hit: hit-heavy functions keep the
 *   plain lookup), a call's first lookup also takes the lease, its `add`
 *   pipelined before the get in the same exchange: a holder's miss then
 *   costs, besides its body, that lookup and one exchange to set the
 *   result and delete the lease: 2 round trips. A hit that took the lease
 *   drops it without waiting (store.h get_leased). Otherwise a miss costs
 *   one `add` more (the lookup saw the lease free: no second look is
 *   needed, since a result stored meanwhile would need a body run within
 *   that one round trip; such a body may run twice, never giving a wrong
 *   result). A waiter costs one request per poll, at most one per 10 ms,
 *   and its first lookup's `add`, which lost; one that takes the lease
 *   over looks the entry up once more before computing (lease_step).
 *   Where the lookup cannot tell (the folder, whose lease costs no round
 *   trip), a caller tries the lease at each poll, and one that takes it
 *   looks the entry up once more before computing.
 *
 * The lease lasts single_flight_wait_s, fixed when taken (a holder busy in
 * the body cannot refresh it): a holder is trusted exactly as long as a
 * caller would wait for it. Each caller waits at most single_flight_wait_s
 * from its own miss, then computes (taking the lease if it is free). So a
 * killed holder costs later arrivals one computation, made by whoever takes
 * over its lease at expiry; callers that arrived with it compute at their
 * own deadline. Any store failure means: compute now.
 *
 * A caller may leave without flight_end: a longjmp or a C++ exception out
 * of the body, or its thread cancelled in the body (libmemo's own waits are
 * no cancellation points: call.c). Its slot records which thread holds it
 * and where that call's struct flight lies on the thread's stack, so:
 * - the same thread's next single-flight miss reaps its slots whose call is
 *   no longer in progress (a frame at or below the new call's, on a stack
 *   that grows down: the new call has overwritten it), dropping their leases;
 *   and a key whose holder is an outer call of this very thread is computed
 *   at once, never waited for (it would wait for itself);
 * - a thread that exits (returns, pthread_exit, cancellation) releases every
 *   slot it still holds (a pthread_key destructor), and waiters wake at once.
 * A waiter in another thread cannot tell that a living holder left its call
 * until that thread calls again or exits: it waits at most its bound. A slot
 * reaped by mistake (a call made on another stack: sigaltstack, makecontext)
 * costs one computation more, never a wrong result: a holder releases a slot
 * only if it still holds its claim.
 *
 * Calls store, records, stats. Any thread; after fork the child's
 * table is emptied (atfork), and a holder that forks inside the body leaves
 * the lease to the process that took it.
 */
#include "call/flight.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/guard.h"
#include "base/util.h"
#include "call/runtime.h"
#include "store/records.h"

#define FLIGHT_SLOTS 64
#define POLL_MIN_NS 10000000ULL		/* first poll after 10 ms */
#define POLL_MAX_NS 100000000ULL	/* then doubling up to 100 ms */

enum { FL_START = 0, FL_LOCAL, FL_LEASE, FL_RECHECK, FL_DONE };
enum { LOCAL_CLAIMED, LOCAL_WAITED, LOCAL_TIMEOUT, LOCAL_SELF };

/* A key being computed in this process. Under table.lock. */
struct slot {
	uint8_t key[KEY_HASH_BYTES];
	bool busy;
	bool stored;		/* how the last holder ended: a result stored */
	bool leased;		/* the holder took the store lease (below) */
	uint64_t gen;		/* bumped at each release: what waiters wait for */
	uint64_t claim;		/* serial of the current claim: its holder's flight_end
				 * releases the slot only while it is still this */
	const void *holder;	/* the holding thread: its `self` */
	uintptr_t frame;	/* the holding call's struct flight, on that thread's stack */
	struct hook *h;		/* the lease, for whoever reaps an abandoned slot */
	uint64_t owner;
	struct memo_key entry, lease;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t done;	/* broadcast at every release; CLOCK_MONOTONIC */
	struct slot slot[FLIGHT_SLOTS];
	uint64_t claims;	/* the last claim serial */
} table = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* This thread: its address identifies the thread to the table, `held` counts
 * the slots it holds (it alone changes it), `keyed` says the exit destructor
 * is armed. */
static __thread struct {
	int held;
	bool keyed;
} self;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;	/* its destructor releases an exiting thread's slots */
static uint64_t nonce;		/* random per process image: owners never repeat */
static uint64_t owner_seq;	/* atomic */

static void cond_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&table.done, &a);
	pthread_condattr_destroy(&a);
}

/* The fork happens with the table locked, so the child never inherits it
 * half-written; the child owns none of the flights its parent's threads had. */
static void before_fork(void)
{
	pthread_mutex_lock(&table.lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&table.lock);
}

static void after_fork_child(void)
{
	memset(table.slot, 0, sizeof table.slot);
	self.held = 0;	/* the child is the forking thread alone: the table forgot its slots */
	cond_init();
	pthread_mutex_init(&table.lock, NULL);
}

/* A lease an abandoned slot held, to drop once the table is unlocked. */
struct orphan {
	struct hook *h;
	uint64_t owner;
	struct memo_key entry, lease;
};

/* Under table.lock: free slot s, which this thread held, waking its waiters
 * (they look up, then compute: nothing was stored); its lease goes to *o. */
static bool abandon(struct slot *s, struct orphan *o)
{
	bool leased = s->leased;

	if (leased) {
		o->h = s->h;
		o->owner = s->owner;
		o->entry = s->entry;
		o->lease = s->lease;
	}
	s->busy = false;
	s->leased = false;
	s->stored = false;
	s->gen++;
	self.held--;
	return leased;
}

/* Release this thread's slots whose calls are no longer in progress: all of
 * them at thread exit (below = UINTPTR_MAX), or those whose struct flight lay
 * at or below `below` on this stack. Drops their leases after. */
static void reap(uintptr_t below)
{
	struct orphan o[FLIGHT_SLOTS];
	int i, n = 0;

	pthread_mutex_lock(&table.lock);
	for (i = 0; i < FLIGHT_SLOTS; i++) {
		struct slot *s = &table.slot[i];

		if (s->busy && s->holder == &self && s->frame <= below && abandon(s, &o[n]))
			n++;
	}
	pthread_cond_broadcast(&table.done);
	pthread_mutex_unlock(&table.lock);
	for (i = 0; i < n; i++)
		if (runtime_ready())
			memo_store->ops->lease(memo_store, &o[i].entry, &o[i].lease, o[i].owner, 0,
					       stats_mine(o[i].h->stats));
}

/* pthread_key destructor: the thread is exiting, none of its calls goes on. */
static void thread_exit(void *unused)
{
	int was = guard_take();

	(void)unused;
	if (self.held)
		reap(UINTPTR_MAX);
	guard_restore(was);
}

static void setup(void)
{
	cond_init();
	if (pthread_key_create(&exit_key, thread_exit) != 0)
		exit_key = (pthread_key_t)-1;
	if (getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) != sizeof nonce)
		nonce = util_now_ns();
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

/* Unique among every caller of every process and node sharing the store. */
static uint64_t owner_new(void)
{
	uint64_t x = nonce ^ (uint64_t)getpid() << 32 ^ (uint64_t)gettid() ^
		     __atomic_add_fetch(&owner_seq, 1, __ATOMIC_RELAXED) * 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;	/* splitmix64's finalizer */
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x ? x : 1;
}

static struct timespec abs_time(uint64_t ns)
{
	return (struct timespec){ .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };
}

/* Claim k in the table, or wait for the thread that has it (unless the
 * call holds the store lease already: then it computes, never waiting). */
static int local_step(const struct memo_key *k, struct flight *f, bool *stored)
{
	struct slot *free_slot = NULL, *s;
	int i, r = LOCAL_CLAIMED;

	pthread_mutex_lock(&table.lock);
	for (i = 0; i < FLIGHT_SLOTS; i++) {
		s = &table.slot[i];
		if (!s->busy) {
			if (!free_slot)
				free_slot = s;
		} else if (!memcmp(s->key, k->hash, KEY_HASH_BYTES)) {
			uint64_t gen = s->gen;

			/* an outer call of ours, or the lease is ours: never wait */
			if (s->holder == &self || f->leased) {
				r = LOCAL_SELF;
				goto out;
			}
			struct timespec until = abs_time(f->deadline_ns);

			while (s->gen == gen && util_now_ns() < f->deadline_ns)
				pthread_cond_timedwait(&table.done, &table.lock, &until);
			/* Another key may have used the slot since: then `stored` is
			 * its holder's, and the caller only looks up or computes. */
			r = s->gen != gen ? LOCAL_WAITED : LOCAL_TIMEOUT;
			*stored = s->stored;
			goto out;
		}
	}
	if (free_slot) {
		memcpy(free_slot->key, k->hash, KEY_HASH_BYTES);
		free_slot->busy = true;
		free_slot->leased = false;
		free_slot->claim = f->claim = ++table.claims;
		free_slot->holder = &self;
		free_slot->frame = (uintptr_t)f;
		f->slot = (int)(free_slot - table.slot);
		self.held++;
	}
out:
	pthread_mutex_unlock(&table.lock);
	return r;
}

static enum flight_step compute(struct hook *h, struct flight *f, bool expired)
{
	f->state = FL_DONE;
	if (expired)
		STAT_ADD(stats_mine(h->stats), wait_expired, 1);
	return FLIGHT_COMPUTE;
}

/* The entry's key and its lease's, once per call. */
static void keys_set(struct flight *f, const struct memo_key *k)
{
	if (f->entry.textlen)
		return;
	f->entry = *k;
	records_lease_key(&f->lease, k);
}

/* How long a lease lasts: single_flight_wait_s, in ms the store takes. */
static int lease_ttl_ms(const struct hook *h)
{
	double ttl = h->fn->single_flight_wait_s * 1000;

	return ttl < 1 ? 1 : ttl > 1e9 ? 1000000000 : (int)ttl;
}

/* Record in the call's slot (if it still has it) the lease it took, for
 * reap, should this call never end. Takes table.lock. */
static void slot_note_lease(struct hook *h, struct flight *f)
{
	struct slot *sl;

	if (f->slot < 0)
		return;
	sl = &table.slot[f->slot];
	pthread_mutex_lock(&table.lock);
	if (sl->busy && sl->claim == f->claim) {
		sl->h = h;
		sl->owner = f->owner;
		sl->entry = f->entry;
		sl->lease = f->lease;
		sl->leased = true;
	}
	pthread_mutex_unlock(&table.lock);
}

int flight_get(struct hook *h, const struct memo_key *k, struct flight *f, struct membuf *out)
{
	struct store *s = memo_store;
	bool first = f->state == FL_START;	/* not a poll */
	bool take = first && !__atomic_load_n(&h->flight_hit, __ATOMIC_RELAXED);
	int held = STORE_LEASE_FREE;
	int r;

	f->held = -1;
	if (!s->ops->get_leased)
		return store_get(s, k, out, stats_mine(h->stats));
	keys_set(f, k);
	if (take) {
		pthread_once(&once, setup);	/* owner_new's nonce */
		f->owner = owner_new();
		f->pid = getpid();
	}
	r = s->ops->get_leased(s, k, &f->lease, take ? f->owner : 0, lease_ttl_ms(h), out,
			       &held, stats_mine(h->stats));
	/* A lease taken and not dropped with a hit is ours to drop (flight_end). */
	if (r != STORE_HIT && held == STORE_LEASE_OURS)
		f->leased = true;
	if (r == STORE_MISS)
		f->held = held == STORE_LEASE_OTHER;
	/* written only when it changes: hits in many threads share no line */
	if (first && (r == STORE_HIT || r == STORE_MISS) &&
	    __atomic_load_n(&h->flight_hit, __ATOMIC_RELAXED) != (r == STORE_HIT))
		__atomic_store_n(&h->flight_hit, r == STORE_HIT, __ATOMIC_RELAXED);
	return r;
}

static enum flight_step lease_step(struct hook *h, const struct memo_key *k, struct flight *f)
{
	struct store *s = memo_store;
	uint64_t now;
	int r;

	if (f->leased) {	/* taken by the lookup that missed: compute */
		slot_note_lease(h, f);
		return compute(h, f, false);
	}
	if (!s->ops->lease)
		return compute(h, f, false);
	if (!f->owner)
		f->owner = owner_new();
	keys_set(f, k);
	/* A lease the lookup just saw held is waited for, not asked again. */
	r = f->held == 1 ? STORE_CONFLICT :
	    s->ops->lease(s, &f->entry, &f->lease, f->owner, lease_ttl_ms(h), stats_mine(h->stats));
	now = util_now_ns();
	if (r == STORE_HIT) {
		f->leased = true;
		slot_note_lease(h, f);
		/* The lookup that missed saw the lease free, on a first look:
		 * compute. Else the last holder may have stored and dropped
		 * between our miss and now: look once more before computing.
		 * A caller that waited always looks again: every waiter sees
		 * the same lease end at once, so another's takeover, body and
		 * set within our one round trip is likely, not rare (t1109). */
		if (f->held == 0 && !f->waited)
			return compute(h, f, false);
		f->state = FL_RECHECK;
		return FLIGHT_POLL;
	}
	if (r != STORE_CONFLICT)
		return compute(h, f, false);	/* the store failed: compute */
	if (now >= f->deadline_ns)
		return compute(h, f, true);
	f->waited = true;
	if (f->sleep_ns > f->deadline_ns - now)
		f->sleep_ns = f->deadline_ns - now;
	nanosleep(&(struct timespec){ f->sleep_ns / 1000000000ULL, f->sleep_ns % 1000000000ULL },
		  NULL);
	f->sleep_ns = f->sleep_ns * 2 < POLL_MAX_NS ? f->sleep_ns * 2 : POLL_MAX_NS;
	return FLIGHT_POLL;
}

enum flight_step flight_next(struct hook *h, const struct memo_key *k, struct flight *f)
{
	bool stored = false;

	if (f->state == FL_START) {
		pthread_once(&once, setup);
		if (self.held)	/* calls of ours that were left (longjmp, throw) */
			reap((uintptr_t)f);
		if (!self.keyed && exit_key != (pthread_key_t)-1) {
			pthread_setspecific(exit_key, &self);
			self.keyed = true;
		}
		f->deadline_ns = util_now_ns() + (uint64_t)(h->fn->single_flight_wait_s * 1e9);
		f->sleep_ns = POLL_MIN_NS;
		if (!f->leased)
			f->owner = 0;
		f->pid = getpid();
		f->state = FL_LOCAL;
	}
	switch (f->state) {
	case FL_LOCAL:
		if (f->slot < 0) {
			switch (local_step(k, f, &stored)) {
			case LOCAL_WAITED:
				f->waited = true;
				/* Stays FL_LOCAL: if the lookup misses we come back. */
				return stored ? FLIGHT_POLL : compute(h, f, false);
			case LOCAL_TIMEOUT:
				f->waited = true;
				return compute(h, f, true);
			case LOCAL_SELF:
				return compute(h, f, false);
			}
		}
		f->state = FL_LEASE;
		/* fall through */
	case FL_LEASE:
		return lease_step(h, k, f);
	default:	/* FL_RECHECK: the lookup after taking the lease missed */
		return compute(h, f, false);
	}
}

void flight_end(struct hook *h, struct flight *f, bool stored)
{
	if (f->state == FL_START)
		return;
	/* A body that forked: the child's copy of this call leaves the lease
	 * and the slot to the process that took them. */
	if (f->pid != getpid()) {
		f->leased = false;
		f->slot = -1;
	}
	if (f->leased)	/* after a set: one request, answered after the set's */
		memo_store->ops->lease(memo_store, &f->entry, &f->lease, f->owner,
				       stored ? STORE_LEASE_STORED : 0, stats_mine(h->stats));
	if (f->slot >= 0) {
		struct slot *s = &table.slot[f->slot];

		pthread_mutex_lock(&table.lock);
		if (s->busy && s->claim == f->claim) {	/* else reaped already */
			s->busy = false;
			s->leased = false;
			s->stored = stored;
			s->gen++;
			self.held--;
			pthread_cond_broadcast(&table.done);
		}
		pthread_mutex_unlock(&table.lock);
	}
	if (f->waited)
		STAT_ADD(stats_mine(h->stats), waited, 1);
	f->state = FL_START;
	f->slot = -1;
	f->leased = false;
}
