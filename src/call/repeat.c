/*
 * repeat: repeated evaluations of stochastic functions
 * (allow_repeated_evaluations = yes). The entry under a call's key keeps
 * count, mean and M2 (Welford). A call evaluates the body while the mean is
 * not known well enough, folds the new value in, and returns the running mean
 * (converted to the return type); once it is, calls return it without
 * evaluating. The rule, for count n, sample variance s² = M2/(n-1):
 *
 *   settled  ⇔  n ≥ min_repetitions  and
 *               (n ≥ max_repetitions  or  (n ≥ 2 and sqrt(s²/n) ≤ rtol_stderr·|mean|))
 *
 * pyDVL's faults, fixed: |mean| (a negative mean settles; a zero mean with
 * noise runs to max_repetitions), n ≥ min (exactly min evaluations for a
 * noiseless function, not min+1), and the update is a compare-and-swap loop
 * (store gets/cas), so evaluations racing in threads, processes or nodes are
 * all counted: none is lost. Racing callers may together pass
 * max_repetitions by at most their number; every evaluation is kept.
 * Stats count keys by where they stand (converged, capped, open; see
 * track_key below), not calls.
 * Calls store, value, stats. Hot path: no allocation, no lock.
 */
#include "call/repeat.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "base/log.h"
#include "call/evaluate.h"
#include "call/runtime.h"
#include "store/store.h"

/* Conflicts retried before giving up on recording one evaluation. */
#define CAS_TRIES 1000

/* The return value as a double. */
static double repeat_to_double(const struct scalar_type *t, const void *ret)
{
	switch (t->cls) {
	case SC_FLOAT:
		return t->size == 4 ? *(const float *)ret :
		       t->size == 8 ? *(const double *)ret : (double)*(const long double *)ret;
	case SC_SINT:
		return t->size == 1 ? *(const int8_t *)ret : t->size == 2 ? *(const int16_t *)ret :
		       t->size == 4 ? *(const int32_t *)ret : (double)*(const int64_t *)ret;
	default:	/* SC_UINT, SC_BOOL */
		return t->size == 1 ? *(const uint8_t *)ret : t->size == 2 ? *(const uint16_t *)ret :
		       t->size == 4 ? *(const uint32_t *)ret : (double)*(const uint64_t *)ret;
	}
}

/* The mean as the return type: floating types converted, integers rounded to
 * the nearest value the type can hold (an average of integers is rarely one). */
static void from_double(const struct scalar_type *t, double v, void *out)
{
	if (t->cls == SC_FLOAT) {
		if (t->size == 4)
			*(float *)out = (float)v;
		else if (t->size == 8)
			*(double *)out = v;
		else
			*(long double *)out = v;
		evaluate_clear_padding(t, out);
		return;
	}
	if (t->cls == SC_BOOL) {
		*(uint8_t *)out = v >= 0.5;
		return;
	}
	/* Rounded by the current rounding mode (llrint: one instruction, as
	 * nearbyint would round), within the type's range: the bounds are
	 * powers of two, exact in a double, and every double from 2^52 up is
	 * an integer already. */
	if (t->cls == SC_SINT) {
		int64_t max = (int64_t)((1ull << (t->size * 8 - 1)) - 1), i;
		double lim = (double)(1ull << (t->size * 8 - 1));

		i = v >= lim ? max : v < -lim ? -max - 1 : llrint(v);
		i = i > max ? max : i < -max - 1 ? -max - 1 : i;
		memcpy(out, &i, t->size);	/* little-endian: the low bytes */
	} else {
		uint64_t max = t->size == 8 ? UINT64_MAX : (1ull << (t->size * 8)) - 1, u;

		u = !(v > 0) ? 0 : v >= 0x1p64 ? UINT64_MAX : v >= 0x1p63 ? (uint64_t)v :
		    (uint64_t)llrint(v);
		u = u > max ? max : u;
		memcpy(out, &u, t->size);
	}
}

/* Where a key stands: the rule above, told apart for the stats (a key whose
 * stderr is small enough at max_repetitions counts as converged). */
enum key_state { KS_OPEN = 1, KS_CONVERGED = 2, KS_CAPPED = 3 };

static enum key_state key_state(const struct function_config *f, const struct value_meta *m)
{
	double n = (double)m->count;

	if (m->count < (uint64_t)f->min_repetitions)
		return KS_OPEN;
	if (m->count >= 2 && sqrt(m->m2 / (n - 1) / n) <= f->rtol_stderr * fabs(m->mean))
		return KS_CONVERGED;
	return m->count >= (uint64_t)f->max_repetitions ? KS_CAPPED : KS_OPEN;
}

static bool settled(const struct function_config *f, const struct value_meta *m)
{
	return key_state(f, m) != KS_OPEN;
}

/* The keys this process touched, for the converged/capped/open counters:
 * one word per key, its hash's first 8 bytes with the low 2 bits holding the
 * state, in a fixed open-addressed table (bounded: keys beyond it are not
 * counted). A state changes by compare-and-swap on the word, so exactly one
 * thread moves each key from one counter to another: no lock. Emptied in a
 * forked child, whose counters start from zero. */
#define TRACK_SLOTS 4096
#define TRACK_PROBES 16
static uint64_t track[TRACK_SLOTS];
static pthread_once_t track_once = PTHREAD_ONCE_INIT;

static void track_after_fork_child(void)
{
	memset(track, 0, sizeof track);
}

static void track_setup(void)
{
	pthread_atfork(NULL, NULL, track_after_fork_child);
}

static void track_count(struct memo_stats *st, uint64_t state, int64_t d)
{
	if (state == KS_OPEN)
		STAT_ADD(st, open, d);
	else if (state == KS_CONVERGED)
		STAT_ADD(st, converged, d);
	else if (state == KS_CAPPED)
		STAT_ADD(st, capped, d);
}

static void track_key(struct hook *h, const struct memo_key *k, enum key_state state)
{
	uint64_t tag;
	int i;

	pthread_once(&track_once, track_setup);
	memcpy(&tag, k->hash, sizeof tag);
	tag = (tag & ~3ULL) ? tag & ~3ULL : 4;
	for (i = 0; i < TRACK_PROBES; i++) {
		uint64_t *w = &track[((tag >> 2) + i) % TRACK_SLOTS];
		uint64_t cur = __atomic_load_n(w, __ATOMIC_RELAXED);

		for (;;) {
			if (cur && (cur & ~3ULL) != tag)
				break;		/* another key's: probe on */
			if ((cur & 3) == state)
				return;
			if (__atomic_compare_exchange_n(w, &cur, tag | state, false,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
				track_count(stats_mine(h->stats), cur & 3, -1);
				track_count(stats_mine(h->stats), state, 1);
				return;
			}
		}
	}
}

/* Read the entry: 1 with *m filled, 0 when there is none (or it is not a
 * valid running mean: it is then replaced), -1 when the store failed. */
static int read_entry(struct hook *h, const struct memo_key *k, struct value_meta *m,
		      uint64_t *token)
{
	uint8_t space[512];
	struct membuf buf;
	struct iovec part[1];
	int r;

	membuf_init(&buf, space, sizeof space);
	r = memo_store->ops->gets(memo_store, k, &buf, token, stats_mine(h->stats));
	if (r == STORE_HIT) {
		enum value_verdict v = value_decode(k, buf.data, buf.len, m, part, 1);
		r = v == VALUE_OK && (m->flags & VALUE_STOCHASTIC) && m->count > 0;
		if (!r) {
			STAT_ADD(stats_mine(h->stats), rejected, 1);
			if (evaluate_warn_once(h, WARN_REJECTED))
				log_warn("'%s': rejected a cached running mean (%s); starting it again",
					 h->fn->symbol, v == VALUE_OK ? "not a running mean" : value_verdict_str(v));
		}
	} else if (r == STORE_MISS) {
		r = 0;
	} else {
		r = -1;
	}
	membuf_release(&buf);
	if (r == 0)
		memset(m, 0, sizeof *m);
	return r;
}

/* Fold x into the entry with a gets/cas loop. Returns 0 with *m the entry as
 * stored, or -1 when the store failed (*m then holds this call alone). */
static int record(struct hook *h, const struct memo_key *k, double x, double seconds,
		  int call_errno, struct value_meta *m)
{
	const struct proto *p = &h->fn->proto;
	uint8_t space[256], retbytes[16];
	struct membuf buf;
	struct iovec part;
	uint64_t token;
	int tries, r = -1;

	for (tries = 0; tries < CAS_TRIES; tries++) {
		double delta;

		if (read_entry(h, k, m, &token) < 0)
			break;
		m->flags = VALUE_STOCHASTIC;
		m->count++;
		delta = x - m->mean;
		m->mean += delta / (double)m->count;
		m->m2 += delta * (x - m->mean);
		m->seconds += seconds;
		m->saved_errno = call_errno;
		m->tag = h->tag;
		from_double(&p->ret, m->mean, retbytes);
		part.iov_base = retbytes;
		part.iov_len = p->ret.size;
		membuf_init(&buf, space, sizeof space);
		if (value_encode(k, m, &part, 1, &buf) < 0) {
			membuf_release(&buf);
			break;
		}
		r = memo_store->ops->cas(memo_store, k, buf.data, buf.len, token, stats_mine(h->stats));
		membuf_release(&buf);
		if (r >= 0) {
			STAT_ADD(stats_mine(h->stats), sets, 1);
			return 0;
		}
		/* A conflict (someone updated first) or a lock not had in time
		 * (nothing was written): read again and retry. */
		if (r != STORE_CONFLICT && r != STORE_TIMEOUT)
			break;
	}
	if (evaluate_warn_once(h, WARN_CAS))
		log_warn("'%s': could not record an evaluation in the cache (%s); returning it alone",
			 h->fn->symbol, tries == CAS_TRIES ? "too many concurrent updates" : "store failed");
	memset(m, 0, sizeof *m);
	m->count = 1;
	m->mean = x;
	return -1;
}

int repeat_call(struct hook *h, const struct memo_key *k, void *ret, void **args,
		int caller_errno)
{
	const struct proto *p = &h->fn->proto;
	struct value_meta m;
	uint8_t retbytes[16];
	uint64_t token, ns;
	int call_errno;
	double x;

	if (read_entry(h, k, &m, &token) == 1 && settled(h->fn, &m)) {
		track_key(h, k, key_state(h->fn, &m));
		STAT_ADD(stats_mine(h->stats), hits, 1);
		STAT_ADD(stats_mine(h->stats), ns_saved, (uint64_t)(m.seconds / (double)m.count * 1e9));
		from_double(&p->ret, m.mean, retbytes);
		evaluate_put_return(&p->ret, ret, retbytes);
		return m.saved_errno;
	}
	STAT_ADD(stats_mine(h->stats), misses, 1);
	ns = evaluate_timed(h, ret, args, caller_errno, &call_errno);

	x = repeat_to_double(&p->ret, ret);
	if (record(h, k, x, (double)ns / 1e9, call_errno, &m) == 0) {
		track_key(h, k, key_state(h->fn, &m));
		from_double(&p->ret, m.mean, retbytes);
		evaluate_put_return(&p->ret, ret, retbytes);
	} else {
		track_key(h, k, KS_OPEN);	/* where the entry stands is unknown */
	}
	return call_errno;
}
