/*
 * call: the hot path. One libffi closure per hook; its handler, in order:
 * asks l1 (in-process, no hashing); keys the call (BLAKE2b) and asks the
 * store once — unless adaptive bypass says the body is cheaper than asking;
 * on a hit restores the return value, the out/inout buffers and errno; on a
 * miss (after waiting for another caller's computation under single flight)
 * calls the original, times it and stores the result when the rules say so.
 * Repeated evaluations go to repeat.c, a share of hits to verify.c, misses
 * to explain.c when MEMO_EXPLAIN is set; the original runs in evaluate.c. A
 * hook's first call primes it (prime.c). The policies never call back here.
 * An entry-patched hook whose calls are scalars only is asked of l1 before
 * the closure, by entry.S (l1_entry_hit, l1_hit.c): closure_prepare says which.
 * Calls key, value, store, l1, stats. Any thread, no global lock; allocates
 * nothing for values that fit VALUE_INLINE (larger values, malloc'ed string
 * returns and the first static-string buffer of a thread do allocate). Its
 * value buffers are the thread's scratch (scratch.h), not the caller's
 * stack, which may be small.
 * Whatever fails here, the caller gets what the original would have given.
 */
#include "call/call.h"

#include <alloca.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/guard.h"
#include "base/log.h"
#include "base/sigframe.h"
#include "base/util.h"
#include "call/entry.h"
#include "call/evaluate.h"
#include "call/explain.h"
#include "call/flight.h"
#include "call/l1.h"
#include "call/prime.h"
#include "call/repeat.h"
#include "call/scratch.h"
#include "call/runtime.h"
#include "call/verify.h"
#include "store/key.h"
#include "store/store.h"

/* The parts of a call's layout: the return value and each out/inout buffer. */
static int layout_parts(const struct proto *p)
{
	int i, n = 1;

	for (i = 0; i < p->nargs; i++)
		n += p->args[i].kind == ARG_OUT || p->args[i].kind == ARG_INOUT;
	return n;
}

/* Fill l (its parts are layout_parts(p) long). */
static int layout_of(const struct proto *p, void **args, struct layout *l)
{
	int i;

	l->nparts = 1;
	l->part[0].iov_base = NULL;
	l->part[0].iov_len = 0;
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		void *ptr;
		uint64_t count;

		if (a->kind != ARG_OUT && a->kind != ARG_INOUT)
			continue;
		ptr = *(void **)args[i];
		if (len_eval(&a->len, p, args, &count) < 0 ||
		    __builtin_mul_overflow(count, (uint64_t)a->type.size, &count))
			return -1;
		l->part[l->nparts].iov_base = ptr;
		l->part[l->nparts].iov_len = ptr ? count : 0;
		l->nparts++;
	}
	return 0;
}

struct strbuf {
	size_t cap;
	char data[];
};

/* The per-thread buffer a `return = static` string is served from, as the
 * original's own static buffer would be: valid until this thread's next call. */
static char *static_string(struct hook *h, const void *src, size_t n)
{
	struct strbuf *b = pthread_getspecific(h->strbuf);

	if (!b || b->cap < n + 1) {
		struct strbuf *nb = realloc(b, sizeof *b + n + 1);
		if (!nb)
			return NULL;
		nb->cap = n + 1;
		b = nb;
		pthread_setspecific(h->strbuf, b);
	}
	memcpy(b->data, src, n);
	b->data[n] = '\0';
	return b->data;
}

/* Apply a verified value to the call. All sizes are checked before anything
 * is written, so a mismatch leaves the caller's memory untouched. */
static int restore(struct hook *h, const struct proto *p, void *ret, void **args,
		   uint16_t flags, const struct iovec *got, const struct layout *l)
{
	bool null_ret = flags & VALUE_RET_NULL;
	int i;

	for (i = 1; i < l->nparts; i++)
		if (got[i].iov_len != l->part[i].iov_len)
			return -1;
	switch (p->ret_kind) {
	case RET_VOID:
	case RET_ARGUMENT:
		if (got[0].iov_len)
			return -1;
		break;
	case RET_SCALAR:
		if (got[0].iov_len != p->ret.size)
			return -1;
		break;
	default:	/* strings: no NUL inside */
		if ((null_ret && got[0].iov_len) || memchr(got[0].iov_base, 0, got[0].iov_len))
			return -1;
	}

	if (p->ret_kind == RET_STRING_STATIC || p->ret_kind == RET_STRING_MALLOC) {
		char *s = NULL;
		if (!null_ret) {
			if (p->ret_kind == RET_STRING_STATIC) {
				s = static_string(h, got[0].iov_base, got[0].iov_len);
			} else if ((s = malloc(got[0].iov_len + 1))) {
				memcpy(s, got[0].iov_base, got[0].iov_len);
				s[got[0].iov_len] = '\0';
			}
			if (!s)
				return -1;
		}
		*(char **)ret = s;
	}
	for (i = 1; i < l->nparts; i++)
		if (got[i].iov_len)
			memcpy(l->part[i].iov_base, got[i].iov_base, got[i].iov_len);
	if (p->ret_kind == RET_SCALAR)
		evaluate_put_return(&p->ret, ret, got[0].iov_base);
	else if (p->ret_kind == RET_ARGUMENT)
		*(void **)ret = null_ret ? NULL : *(void **)args[p->ret_arg];
	return 0;
}

/* Fill part 0 from what the original returned; -1 if the result cannot be
 * cached (a `return = argument` function that returned another pointer). */
static int capture_return(const struct proto *p, void *ret, void **args,
			  struct layout *l, struct value_meta *meta)
{
	switch (p->ret_kind) {
	case RET_SCALAR:
		l->part[0].iov_base = ret;
		l->part[0].iov_len = p->ret.size;
		break;
	case RET_STRING_STATIC:
	case RET_STRING_MALLOC: {
		char *s = *(char **)ret;
		if (!s)
			meta->flags |= VALUE_RET_NULL;
		l->part[0].iov_base = s;
		l->part[0].iov_len = s ? strlen(s) : 0;
		break;
	}
	case RET_ARGUMENT: {
		void *r = *(void **)ret;
		if (!r)
			meta->flags |= VALUE_RET_NULL;
		else if (r != *(void **)args[p->ret_arg])
			return -1;
		break;
	}
	}
	return 0;
}

/* Encode and store a fresh result (and remember it in l1); with k NULL (the
 * shared store bypassed), in l1 only. */
static void store_result(struct hook *h, const struct memo_key *k,
			 const struct l1_probe *pr, void *ret, void **args,
			 struct layout *l, uint64_t ns, int call_errno)
{
	const struct proto *p = &h->fn->proto;
	struct value_meta meta = { .seconds = (double)ns / 1e9, .saved_errno = call_errno,
				   .tag = h->tag };
	struct scratch *sc = scratch_get();	/* mapped: call_handler checked */
	struct membuf buf;

	if (capture_return(p, ret, args, l, &meta) < 0) {
		STAT_ADD(stats_mine(h->stats), bypassed, 1);
		if (evaluate_warn_once(h, WARN_POINTER))
			log_warn("'%s' returned a pointer that is not argument '%s'; such calls are not stored",
				 h->fn->symbol, p->args[p->ret_arg].name);
		return;
	}
	if (pr)
		l1_put(pr, &meta, l->part, l->nparts);
	if (!k)
		return;
	membuf_init(&buf, sc->value, sizeof sc->value);
	if (value_encode(k, &meta, l->part, l->nparts, &buf) < 0) {
		STAT_ADD(stats_mine(h->stats), errors, 1);
		if (evaluate_warn_once(h, WARN_ENCODE))
			log_warn("'%s': out of memory encoding a result; not stored", h->fn->symbol);
	} else if (store_set(memo_store, k, buf.data, buf.len, stats_mine(h->stats)) >= 0) {
		STAT_ADD(stats_mine(h->stats), sets, 1);
	}
	membuf_release(&buf);
}

/*
 * Adaptive bypass: pyDVL asks the cache on every call, even for a function
 * whose calls all run faster than time_threshold — whose results are thus
 * never stored — and faster than the question itself. Once BYPASS_SAMPLES
 * calls have measured both means, a symbol whose body is consistently
 * cheaper than a shared-store lookup and than its threshold skips the shared
 * store (l1 still serves repeats, in nanoseconds), except for one call in
 * BYPASS_RESAMPLE that takes the full path and keeps both means current.
 * With time_threshold = 0 (store everything) a symbol is never bypassed.
 */
#define BYPASS_SAMPLES 16
#define BYPASS_RESAMPLE 64

static void cost_update(uint64_t *mean, uint64_t ns)
{
	uint64_t m = __atomic_load_n(mean, __ATOMIC_RELAXED);

	/* weight 1/8: racing updates may lose one sample, which is harmless */
	__atomic_store_n(mean, m ? m - m / 8 + ns / 8 : ns, __ATOMIC_RELAXED);
}

static int bypassing(struct hook *h)
{
	uint64_t body = __atomic_load_n(&h->body_ns, __ATOMIC_RELAXED);

	if (__atomic_load_n(&h->cost_samples, __ATOMIC_RELAXED) < BYPASS_SAMPLES ||
	    body >= h->threshold_ns || body >= __atomic_load_n(&h->lookup_ns, __ATOMIC_RELAXED))
		return 0;
	return __atomic_fetch_add(&h->bypass_tick, 1, __ATOMIC_RELAXED) % BYPASS_RESAMPLE != 0;
}

/*
 * Latency-aware skip: a server of the shared store that is slower to ask
 * than the body is to run (a far node, a loaded one) is not asked, but for
 * one call in BYPASS_RESAMPLE that keeps its mean current; its calls compute,
 * counted in lookups_skipped, and their results are still stored for
 * whoever is nearer. Only a server slower than SLOW_SERVER_NS, farther than
 * a LAN: one that answers in microseconds (or a loaded one, in a
 * millisecond) is always asked, since the results are what the cache is
 * for. Measured per function and per server; the body's time is known from
 * its runs and from the time each hit's value records.
 */
#define SLOW_SERVER_NS 5000000ull

_Static_assert(HOOK_SERVERS == STORE_SERVERS, "one mean per server the store tells apart");

static int server_too_slow(struct hook *h, int server)
{
	uint64_t ask = __atomic_load_n(&h->server_ns[server], __ATOMIC_RELAXED);

	if (__atomic_load_n(&h->server_samples[server], __ATOMIC_RELAXED) < BYPASS_SAMPLES ||
	    __atomic_load_n(&h->cost_samples, __ATOMIC_RELAXED) < BYPASS_SAMPLES ||
	    ask < SLOW_SERVER_NS || ask < 2 * __atomic_load_n(&h->body_ns, __ATOMIC_RELAXED))
		return 0;
	return __atomic_fetch_add(&h->bypass_tick, 1, __ATOMIC_RELAXED) % BYPASS_RESAMPLE != 0;
}

/* Past the first BYPASS_SAMPLES, one lookup in COST_EVERY of each thread
 * updates the means: threads looking up at once would otherwise write the
 * hook's line at every call (and a mean of every eighth is as good). The
 * clock is read around those only (cost_timed, then server_cost). */
#define COST_EVERY 8
static __thread unsigned cost_tick;

/* Whether this thread's next lookup is timed from before its key: 1 in
 * COST_EVERY. */
static bool cost_timed(void)
{
	return ++cost_tick % COST_EVERY == 0;
}

/* Whether server's mean still takes every lookup (its first
 * BYPASS_SAMPLES): one not timed by cost_timed is then timed from after
 * its key (its hashing left out of those first samples, which the later
 * ones bring in). */
static bool server_learning(struct hook *h, int server)
{
	return __atomic_load_n(&h->server_samples[server], __ATOMIC_RELAXED) < BYPASS_SAMPLES;
}

static void server_cost(struct hook *h, int server, uint64_t t0)
{
	uint64_t ns = util_now_ns() - t0;

	if (server_learning(h, server))
		__atomic_fetch_add(&h->server_samples[server], 1, __ATOMIC_RELAXED);
	cost_update(&h->lookup_ns, ns);
	cost_update(&h->server_ns[server], ns);
}

/* A hit: count it. */
static void served(struct hook *h, uint64_t ns_saved)
{
	STAT_ADD(stats_mine(h->stats), hits, 1);
	STAT_ADD(stats_mine(h->stats), ns_saved, ns_saved);
}

/* Look the call up in the shared store (through single flight's lookup when
 * fl); 1 if it was served from there, with *out_errno the errno the call
 * left. */
static int lookup(struct hook *h, const struct memo_key *k, struct flight *fl,
		  const struct l1_probe *pr, void *ret, void **args, const struct layout *l,
		  int *out_errno)
{
	struct scratch *sc = scratch_get();	/* mapped: call_handler checked */
	struct membuf buf;
	struct value_meta meta;
	struct iovec *got = sc->got;
	enum value_verdict v;
	int served_here = 0;

	membuf_init(&buf, sc->value, sizeof sc->value);
	if ((fl ? flight_get(h, k, fl, &buf) : store_get(memo_store, k, &buf, stats_mine(h->stats)))
	    != STORE_HIT)
		goto out;
	v = value_decode_buf(k, &buf, &meta, got, l->nparts);
	if (v == VALUE_OK && restore(h, &h->fn->proto, ret, args, meta.flags, got, l) == 0) {
		if (pr)
			l1_put(pr, &meta, got, l->nparts);
		served(h, (uint64_t)(meta.seconds * 1e9));
		/* what computing would have cost, for the latency-aware skip:
		 * learnt from the first hits only, so that threads serving hits
		 * do not all write one cache line */
		if (__atomic_load_n(&h->cost_samples, __ATOMIC_RELAXED) < BYPASS_SAMPLES) {
			cost_update(&h->body_ns, (uint64_t)(meta.seconds * 1e9));
			__atomic_fetch_add(&h->cost_samples, 1, __ATOMIC_RELAXED);
		}
		*out_errno = meta.saved_errno;
		served_here = 1;
		goto out;
	}
	STAT_ADD(stats_mine(h->stats), rejected, 1);
	if (evaluate_warn_once(h, WARN_REJECTED))
		log_warn("'%s': rejected a cached value (%s); recomputing", h->fn->symbol,
			 v == VALUE_OK ? "sizes do not match the prototype" : value_verdict_str(v));
out:
	membuf_release(&buf);
	return served_here;
}

/* serve's answer when a call cannot be keyed (an array length is negative
 * or overflows, or runs past readable memory; counted and said) or not
 * served here (inside a signal handler: counted): the original runs
 * unmemoized.
 * Any other answer is the errno the caller must see (never negative). */
#define SERVE_UNKEYABLE (-1)

/* A call that cannot be keyed: count it, and say so once. */
static int unkeyable(struct hook *h)
{
	STAT_ADD(stats_mine(h->stats), bypassed, 1);
	if (evaluate_warn_once(h, WARN_LENGTH))
		log_warn("'%s': an array length is negative or overflows; such calls are not "
			 "memoized", h->fn->symbol);
	return SERVE_UNKEYABLE;
}

/* A call with an array declared longer than its readable memory, or a
 * by-reference argument that is NULL (key_unreadable_arg): count it, and
 * name the argument once. */
static int unreadable(struct hook *h, int arg, void **args)
{
	STAT_ADD(stats_mine(h->stats), bypassed, 1);
	if (h->fn->proto.args[arg].kind == ARG_REF && !*(void **)args[arg]) {
		if (evaluate_warn_once(h, WARN_NULL_REF))
			log_warn("'%s': argument '%s', passed by reference, is NULL; such calls are "
				 "not memoized", h->fn->symbol, h->fn->proto.args[arg].name);
	} else if (evaluate_warn_once(h, WARN_UNREADABLE))
		log_warn("'%s': argument '%s' declares more bytes than can be read there; such "
			 "calls are not memoized", h->fn->symbol, h->fn->proto.args[arg].name);
	return SERVE_UNKEYABLE;
}

/* The process (runtime_pid) in which this thread has asked the store outside a
 * signal handler: libmemcached's handle for the thread, made at its first
 * call (and again after a fork), exists since. */
static __thread pid_t asked_store;

/* Whether serving the call past l1 may use the heap: a thread's first call
 * of libmemcached does (its handle), and so does a value larger than the
 * thread's scratch (VALUE_INLINE): a string result, large out-buffers. */
static bool needs_heap(const struct hook *h, const struct layout *l)
{
	uint64_t n = VALUE_HEADER_SIZE + 4 * (uint64_t)l->nparts + h->fn->proto.ret.size;

	if ((memo_cfg->cache.servers[0] && asked_store != runtime_pid) ||
	    h->fn->proto.ret_kind == RET_STRING_STATIC || h->fn->proto.ret_kind == RET_STRING_MALLOC)
		return true;
	for (int i = 1; i < l->nparts; i++)
		n += l->part[i].iov_len;
	return n > VALUE_INLINE;
}

/* A call inside a signal handler, which may have interrupted malloc, that
 * needs the heap: it runs unmemoized, counted. */
static int in_handler(struct hook *h)
{
	STAT_ADD(stats_mine(h->stats), bypassed, 1);
	return SERVE_UNKEYABLE;
}

/* The rest of serve after l1 missed: the store, the policies, the body.
 * Runs with cancellation disabled; the body with the caller's state. */
static inline __attribute__((always_inline)) int serve_miss(struct hook *h, void *ret, void **args, int caller_errno, int verifying,
		      const struct l1_probe *pr, struct layout *l)
{
	const struct proto *p = &h->fn->proto;
	/* in the frame only for single flight: a frame per level of recursion */
	struct flight *fl = h->fn->single_flight ? alloca(sizeof *fl) : NULL;
	struct memo_key k;
	int call_errno, skip_store, server;
	uint64_t t0, ns;

	if (h->fn->repeated) {	/* repeat.c: the running mean */
		if (key_compute(&h->prefix, p, args, h->globals, h->nglobals, &k) < 0)
			return unkeyable(h);
		return repeat_call(h, &k, ret, args, caller_errno);
	}
	skip_store = bypassing(h);
	if (fl)
		flight_init(fl);
	if (skip_store) {
		STAT_ADD(stats_mine(h->stats), lookups_skipped, 1);
	} else {
		bool timed = cost_timed();

		t0 = timed ? util_now_ns() : 0;
		if (key_compute(&h->prefix, p, args, h->globals, h->nglobals, &k) < 0)
			return unkeyable(h);
		server = store_server_of(memo_store, &k);
		if (!timed && server_learning(h, server)) {
			t0 = util_now_ns();
			timed = true;
		}
		if (server_too_slow(h, server)) {
			STAT_ADD(stats_mine(h->stats), lookups_skipped, 1);
			goto compute;
		}
		if (verifying) {	/* verify.c: recompute a hit, compare, report */
			int v = verify_call(h, &k, ret, args, l, caller_errno, &ns, &call_errno);
			if (v == VERIFY_DIFFERENT)
				store_result(h, &k, pr, ret, args, l, ns, call_errno);
			if (v != VERIFY_NONE)
				return call_errno;
		} else {
			int served_by_store = lookup(h, &k, fl, pr, ret, args, l, &call_errno);
			if (timed)
				server_cost(h, server, t0);
			if (served_by_store)
				return call_errno;
		}
		/* single flight (flight.c): while another caller computes this key,
		 * wait for its result; flight_end below releases what this call holds */
		while (fl && flight_next(h, &k, fl) == FLIGHT_POLL)
			if (lookup(h, &k, fl, pr, ret, args, l, &call_errno)) {
				flight_end(h, fl, true);
				return call_errno;
			}
	}
compute:
	STAT_ADD(stats_mine(h->stats), misses, 1);
	if (explain_on)		/* explain.c: MEMO_EXPLAIN=1 says why it missed */
		explain_miss(h, args, skip_store);

	ns = evaluate_timed(h, ret, args, caller_errno, &call_errno);
	cost_update(&h->body_ns, ns);
	__atomic_fetch_add(&h->cost_samples, 1, __ATOMIC_RELAXED);
	if (ns < h->threshold_ns)
		STAT_ADD(stats_mine(h->stats), bypassed, 1);
	else
		store_result(h, skip_store ? NULL : &k, pr, ret, args, l, ns, call_errno);
	if (fl)
		flight_end(h, fl, ns >= h->threshold_ns);
	return call_errno;
}

/*
 * Serve one call with the guard taken: from l1, from the store, or by
 * evaluating the original and storing its result. Returns the errno the
 * caller must see, or SERVE_UNKEYABLE. Never touches the guard or errno
 * itself: call_handler does, in one place.
 */
/* The probe l1_entry_hit handed this call under mark (scratch.h), or NULL
 * when it handed none or a signal handler's call wrote over it since. */
static const struct l1_probe *entry_probe(const struct scratch *sc, const struct hook *h,
					  uint64_t mark)
{
	if (!mark || __atomic_load_n(&sc->entry_seq, __ATOMIC_RELAXED) != mark ||
	    sc->entry_probe.hook != (uint32_t)h->index)
		return NULL;
	return &sc->entry_probe;
}

static int serve(struct hook *h, void *ret, void **args, int caller_errno, int verifying,
		 uint64_t mark)
{
	const struct proto *p = &h->fn->proto;
	struct scratch *sc = scratch_get();	/* mapped: call_handler checked */
	struct l1_probe *pr = NULL;
	struct iovec parts[layout_parts(p)];	/* a frame per level: only what is used */
	struct layout l = { .part = parts };
	int cancel, outer_cancel, r;

	STAT_ADD(stats_mine(h->stats), calls, 1);
	/* first: a length may read a by-reference argument */
	if ((r = key_unreadable_arg(p, args)) >= 0)
		return unreadable(h, r, args);
	if (layout_of(p, args, &l) < 0)
		return unkeyable(h);
	/* the entry's probe, which missed just now; else one of our own */
	const struct l1_probe *from = h->fn->repeated ? NULL : entry_probe(sc, h, mark);
	if (!from && !h->fn->repeated && l1_probe(h, args, &sc->probe) == 0) {
		struct l1_found f;

		if (!verifying && l1_get(&sc->probe, sc->l1, sizeof sc->l1, &f, sc->got, l.nparts) &&
		    restore(h, p, ret, args, f.flags, sc->got, &l) == 0) {
			served(h, f.ns_saved);
			return f.saved_errno;
		}
		from = &sc->probe;
	}
	if (from) {
		/* l1 is told the result after the body, whose own calls use the
		 * scratch: the probe is kept here, its image's used bytes only */
		size_t n = offsetof(struct l1_probe, image) + from->len;
		pr = alloca(n);
		memcpy(pr, from, n);
		l1_prefetch(pr);
	}
	/* sigframe.h scans the used stack: only for calls that need it; a
	 * backend that allocates all the same asks first (store.h) */
	if (needs_heap(h, &l)) {
		if (sigframe_in_handler())
			return in_handler(h);
		asked_store = runtime_pid;
		store_heap_known(true);
	} else {
		store_heap_known(false);
	}
	/* libmemo's work from here (the store, single flight's waits) is no
	 * cancellation point; the body's are (evaluate.h). l1 has none. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	outer_cancel = evaluate_cancel_state;	/* a call in a body: the body's */
	evaluate_cancel_state = cancel;
	r = serve_miss(h, ret, args, caller_errno, verifying, pr, &l);
	store_heap_known(false);	/* known for this call only */
	evaluate_cancel_state = outer_cancel;
	pthread_setcancelstate(cancel, NULL);
	return r;
}

/* A hook's first call primes it (prime.c: runtime_lock, files, the store)
 * with cancellation disabled: no lock is left held by a cancelled thread. */
static int prime(struct hook *h)
{
	int cancel, r;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	r = prime_hook(h);
	pthread_setcancelstate(cancel, NULL);
	return r;
}

/* One call, by the closure or by the entry (with the mark of the probe
 * l1_entry_hit handed over, or 0). */
static void call_handler(struct hook *h, void *ret, void **args, uint64_t mark)
{
	int primed = __atomic_load_n(&h->primed, __ATOMIC_ACQUIRE);
	int caller_errno = errno, verifying, out_errno;

	/* a hook whose first call failed to prime stays unmemoized, lock-free;
	 * priming (files, the store) may have changed errno: the caller's first.
	 * The thread's scratch is asked first: its exit then also unmaps the
	 * save slots entry.S may have mapped for this call. */
	if (!scratch_get() || guard_taken() || !runtime_ready() ||
	    (primed != 1 && (primed < 0 || prime(h) < 0))) {
		errno = caller_errno;
		evaluate_original(h, ret, args);
		return;
	}
	/* verify.c: `verify = FRACTION` recomputes this share of hits */
	verifying = h->fn->verify > 0 && !h->fn->repeated && verify_due(h);
	l1_errno = &errno;
	guard_take();
	out_errno = serve(h, ret, args, caller_errno, verifying, mark);
	guard_restore(0);	/* the guard was free: see the test above */
	if (out_errno == SERVE_UNKEYABLE) {
		errno = caller_errno;
		evaluate_original(h, ret, args);
		return;
	}
	errno = out_errno;
}

void call_closure(ffi_cif *cif, void *ret, void **args, void *data)
{
	(void)cif;
	call_handler(data, ret, args, 0);
}

void call_entry(const struct inline_desc *d, uint8_t *frame)
{
	struct hook *h = d->h;
	int i, n = h->fn->proto.nargs;
	void *args[n ? n : 1];	/* a frame per level: only what is used */
	uint64_t mark = 0;

	/* the slot holds a mark only where l1_entry_hit ran (entry.h) */
	if (d->hit)
		memcpy(&mark, frame + FRAME_RET, 8);
	for (i = 0; i < n; i++)
		args[i] = frame + d->arg_at[i];
	call_handler(h, frame + FRAME_RET, args, mark);
}
