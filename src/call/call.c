/*
 * call: the hot path. One libffi closure per hook; its handler, in order:
 * asks l1 (in-process, no hashing); keys the call (BLAKE2b) and asks the
 * store once — unless adaptive bypass says the body is cheaper than asking;
 * on a hit restores the return value, the out/inout buffers and errno; on a
 * miss (after waiting for another caller's computation under single flight)
 * calls the original, times it and stores the result when the rules say so.
 * Repeated evaluations go to repeat.c, a share of hits to verify.c, misses
 * to explain.c when MEMO_EXPLAIN is set.
 * An entry-patched hook whose calls are scalars only is asked of l1 before
 * the closure, by entry.S (l1_entry_hit, l1_hit.c): call_prepare says which.
 * Calls key, value, store, l1, stats. Any thread, no global lock; allocates
 * nothing for values that fit VALUE_INLINE (larger values, malloc'ed string
 * returns and the first static-string buffer of a thread do allocate).
 * Whatever fails here, the caller gets what the original would have given.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "call/call.h"
#include "patch/entry.h"
#include "call/explain.h"
#include "call/flight.h"
#include "call/l1.h"
#include "base/log.h"
#include "call/runtime.h"
#include "call/verify.h"

int call_warn_once(struct hook *h, int bit)
{
	return !(__atomic_fetch_or(&h->warned, bit, __ATOMIC_RELAXED) & bit);
}

uint64_t call_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static ffi_type *ffi_type_of(const struct scalar_type *t)
{
	static ffi_type *const sints[9] = { [1] = &ffi_type_sint8, [2] = &ffi_type_sint16,
					    [4] = &ffi_type_sint32, [8] = &ffi_type_sint64 };
	static ffi_type *const uints[9] = { [1] = &ffi_type_uint8, [2] = &ffi_type_uint16,
					    [4] = &ffi_type_uint32, [8] = &ffi_type_uint64 };

	switch (t->cls) {
	case SC_VOID:
		return &ffi_type_void;
	case SC_SINT:
		return t->size <= 8 ? sints[t->size] : NULL;
	case SC_UINT:
	case SC_BOOL:
		return t->size <= 8 ? uints[t->size] : NULL;
	case SC_FLOAT:
		return t->size == 4 ? &ffi_type_float :
		       t->size == 8 ? &ffi_type_double :
		       t->size == 16 ? &ffi_type_longdouble : NULL;
	case SC_PTR:
		return &ffi_type_pointer;
	}
	return NULL;
}

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

/* Write a scalar as a libffi closure must: integers narrower than ffi_arg
 * widened to a full ffi_arg with their signedness. */
void call_put_return(const struct scalar_type *t, void *ret, const void *src)
{
	if (t->cls == SC_SINT && t->size < sizeof(ffi_arg)) {
		int64_t v = t->size == 1 ? *(const int8_t *)src :
			    t->size == 2 ? *(const int16_t *)src : *(const int32_t *)src;
		*(ffi_sarg *)ret = v;
	} else if ((t->cls == SC_UINT || t->cls == SC_BOOL) && t->size < sizeof(ffi_arg)) {
		uint64_t v = t->size == 1 ? *(const uint8_t *)src :
			     t->size == 2 ? *(const uint16_t *)src : *(const uint32_t *)src;
		*(ffi_arg *)ret = v;
	} else {
		memcpy(ret, src, t->size);
	}
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
		call_put_return(&p->ret, ret, got[0].iov_base);
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

static void call_original(struct hook *h, void *ret, void **args)
{
	ffi_call(&h->cif, FFI_FN(h->orig), ret, args);
}

uint64_t call_evaluate(struct hook *h, void *ret, void **args, int caller_errno,
		       int *call_errno)
{
	uint64_t t0, ns;

	memo_busy = 0;
	errno = caller_errno;
	t0 = call_now_ns();
	call_original(h, ret, args);
	ns = call_now_ns() - t0;
	*call_errno = errno;
	memo_busy = 1;
	STAT_ADD(&h->stats, evaluations, 1);
	STAT_ADD(&h->stats, ns_in_function, ns);
	return ns;
}

/* Encode and store a fresh result (and remember it in l1); with k NULL (the
 * shared store bypassed), in l1 only. */
static void store_result(struct hook *h, const struct memo_key *k,
			 const struct l1_probe *pr, void *ret, void **args,
			 struct layout *l, uint64_t ns, int call_errno)
{
	const struct proto *p = &h->fn->proto;
	struct value_meta meta = { .seconds = (double)ns / 1e9, .saved_errno = call_errno };
	uint8_t space[VALUE_INLINE];
	struct membuf buf;

	if (capture_return(p, ret, args, l, &meta) < 0) {
		STAT_ADD(&h->stats, bypassed, 1);
		if (call_warn_once(h, WARN_POINTER))
			log_warn("'%s' returned a pointer that is not argument '%s'; such calls are not stored",
				 h->fn->symbol, p->args[p->ret_arg].name);
		return;
	}
	if (pr)
		l1_put(pr, &meta, l->part, l->nparts);
	if (!k)
		return;
	membuf_init(&buf, space, sizeof space);
	if (value_encode(k, &meta, l->part, l->nparts, &buf) < 0) {
		STAT_ADD(&h->stats, errors, 1);
		if (call_warn_once(h, WARN_ENCODE))
			log_warn("'%s': out of memory encoding a result; not stored", h->fn->symbol);
	} else if (store_set(memo_store, k, buf.data, buf.len, &h->stats) >= 0) {
		STAT_ADD(&h->stats, sets, 1);
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

/* A hit: count it and give the caller errno as the call left it. */
static void served(struct hook *h, uint64_t ns_saved, int saved_errno)
{
	STAT_ADD(&h->stats, hits, 1);
	STAT_ADD(&h->stats, ns_saved, ns_saved);
	memo_busy = 0;
	errno = saved_errno;
}

/* Look the call up in the shared store; 1 if it was served from there. */
static int lookup(struct hook *h, const struct memo_key *k, const struct l1_probe *pr,
		  void *ret, void **args, const struct layout *l)
{
	uint8_t space[VALUE_INLINE];
	struct membuf buf;
	struct value_meta meta;
	struct iovec got[VALUE_MAX_PARTS];
	enum value_verdict v;
	int served_here = 0;

	membuf_init(&buf, space, sizeof space);
	if (store_get(memo_store, k, &buf, &h->stats) != STORE_HIT)
		goto out;
	v = value_decode(k, buf.data, buf.len, &meta, got, l->nparts);
	if (v == VALUE_OK && restore(h, &h->fn->proto, ret, args, meta.flags, got, l) == 0) {
		if (pr)
			l1_put(pr, &meta, got, l->nparts);
		served(h, (uint64_t)(meta.seconds * 1e9), meta.saved_errno);
		served_here = 1;
		goto out;
	}
	STAT_ADD(&h->stats, rejected, 1);
	if (call_warn_once(h, WARN_REJECTED))
		log_warn("'%s': rejected a cached value (%s); recomputing", h->fn->symbol,
			 v == VALUE_OK ? "sizes do not match the prototype" : value_verdict_str(v));
out:
	membuf_release(&buf);
	return served_here;
}

static void call_handler(ffi_cif *cif, void *ret, void **args, void *data)
{
	struct hook *h = data;
	const struct proto *p = &h->fn->proto;
	struct l1_probe probe, *pr = NULL;
	struct flight fl;
	struct memo_key k;
	struct layout l;
	int caller_errno, call_errno, skip_store, served_by_store;
	uint64_t t0, ns;
	int verifying, primed = __atomic_load_n(&h->primed, __ATOMIC_ACQUIRE);

	(void)cif;
	/* a hook whose first call failed to prime stays unmemoized, lock-free */
	if (memo_busy || !runtime_ready() || (primed ? primed < 0 : hook_prime(h) < 0)) {
		call_original(h, ret, args);
		return;
	}
	/* verify.c: `verify = FRACTION` recomputes this share of hits */
	verifying = h->fn->verify > 0 && !h->fn->repeated && verify_due(h);
	caller_errno = errno;
	l1_errno = &errno;
	memo_busy = 1;
	STAT_ADD(&h->stats, calls, 1);
	if (layout_of(p, args, &l) < 0)
		goto unkeyable;
	if (!h->fn->repeated && l1_probe(h, args, &probe) == 0) {
		uint8_t space[L1_VALUE_MAX];
		struct l1_found f;
		struct iovec got[VALUE_MAX_PARTS];

		pr = &probe;
		if (!verifying && l1_get(pr, space, sizeof space, &f, got, l.nparts) &&
		    restore(h, p, ret, args, f.flags, got, &l) == 0) {
			served(h, f.ns_saved, f.saved_errno);
			return;
		}
	}
	if (h->fn->repeated) {
		if (key_compute(&h->prefix, p, args, h->globals, h->nglobals, &k) < 0)
			goto unkeyable;
		repeat_call(h, &k, ret, args, caller_errno);
		return;
	}
	skip_store = bypassing(h);
	flight_init(&fl);
	if (skip_store) {
		STAT_ADD(&h->stats, lookups_skipped, 1);
	} else {
		t0 = call_now_ns();
		if (key_compute(&h->prefix, p, args, h->globals, h->nglobals, &k) < 0)
			goto unkeyable;
		if (verifying) {	/* verify.c: recompute a hit, compare, report */
			int v = verify_call(h, &k, ret, args, &l, caller_errno, &ns, &call_errno);
			if (v == VERIFY_DIFFERENT)
				store_result(h, &k, pr, ret, args, &l, ns, call_errno);
			if (v != VERIFY_NONE) {
				memo_busy = 0;
				errno = call_errno;
				return;
			}
		} else {
			served_by_store = lookup(h, &k, pr, ret, args, &l);
			cost_update(&h->lookup_ns, call_now_ns() - t0);
			if (served_by_store)
				return;
		}
		/* single flight (flight.c): while another caller computes this key,
		 * wait for its result; flight_end below releases what this call holds */
		while (h->fn->single_flight && flight_next(h, &k, &fl) == FLIGHT_POLL)
			if (lookup(h, &k, pr, ret, args, &l)) {
				flight_end(h, &fl, true);
				return;
			}
	}
	STAT_ADD(&h->stats, misses, 1);
	if (explain_on)		/* explain.c: MEMO_EXPLAIN=1 says why it missed */
		explain_miss(h, args, skip_store);

	ns = call_evaluate(h, ret, args, caller_errno, &call_errno);
	cost_update(&h->body_ns, ns);
	__atomic_fetch_add(&h->cost_samples, 1, __ATOMIC_RELAXED);
	if (ns < h->threshold_ns)
		STAT_ADD(&h->stats, bypassed, 1);
	else
		store_result(h, skip_store ? NULL : &k, pr, ret, args, &l, ns, call_errno);
	flight_end(h, &fl, ns >= h->threshold_ns);
	memo_busy = 0;
	errno = call_errno;
	return;

unkeyable:
	STAT_ADD(&h->stats, bypassed, 1);
	if (call_warn_once(h, WARN_LENGTH))
		log_warn("'%s': an array length is negative or overflows; such calls are not memoized",
			 h->fn->symbol);
	memo_busy = 0;
	errno = caller_errno;
	call_original(h, ret, args);
}

int call_prepare(struct hook *h)
{
	const struct proto *p = &h->fn->proto;
	ffi_type *rtype;
	int i;

	for (i = 0; i < p->nargs; i++) {
		h->atypes[i] = p->args[i].kind == ARG_SCALAR ? ffi_type_of(&p->args[i].type)
							     : &ffi_type_pointer;
		if (!h->atypes[i]) {
			snprintf(h->why, sizeof h->why, "argument '%s' has a type libffi cannot pass",
				 p->args[i].name);
			return -1;
		}
	}
	rtype = p->ret_kind == RET_VOID ? &ffi_type_void :
		p->ret_kind == RET_SCALAR ? ffi_type_of(&p->ret) : &ffi_type_pointer;
	if (!rtype || ffi_prep_cif(&h->cif, FFI_DEFAULT_ABI, p->nargs, rtype, h->atypes) != FFI_OK) {
		snprintf(h->why, sizeof h->why, "libffi cannot describe the prototype");
		return -1;
	}
	if (p->ret_kind == RET_STRING_STATIC && pthread_key_create(&h->strbuf, free) != 0) {
		snprintf(h->why, sizeof h->why, "no thread-specific key left");
		return -1;
	}
	if (h->fn->repeated) {
		bool numeric = p->ret_kind == RET_SCALAR && p->ret.cls != SC_PTR;
		for (i = 0; i < p->nargs && numeric; i++)
			numeric = p->args[i].kind != ARG_OUT && p->args[i].kind != ARG_INOUT;
		if (!numeric) {
			snprintf(h->why, sizeof h->why, "repeated evaluations average a numeric return "
				 "value; this prototype has %s", p->ret_kind != RET_SCALAR ?
				 "no numeric return" : "out or inout buffers");
			return -1;
		}
	}
	/* The entry may serve a hit by itself (l1_entry_hit) when the call's
	 * image is scalars only, its result fits one register, and no rule
	 * (repeated evaluations, verify) needs to see the hit. */
	h->entry_hit = !h->fn->repeated && h->fn->verify == 0 &&
		       (p->ret_kind == RET_VOID || (p->ret_kind == RET_SCALAR && p->ret.size <= 8))
		       ? l1_entry_hit : NULL;
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		if (a->kind == ARG_OUT || a->kind == ARG_INOUT ||
		    (!a->ignored && a->kind != ARG_SCALAR && a->kind != ARG_OPAQUE))
			h->entry_hit = NULL;
	}
	if (!h->orig)
		h->orig = h->target;
	return 0;
}

/*
 * libffi's x86-64 closure is its own code (3.4, src/x86/ffi64.c
 * ffi_prep_closure_loc): a 24-byte trampoline at the closure's start finds
 * the closure by `lea -0xb(%rip)`, so it must run where it was written
 * (codeloc is not read), and ffi_closure_unix64 only reads cif, fun and
 * user_data after it: the page may be read-only by then. Static trampolines
 * (ffi_tramp_is_present, src/closures.c) serve only memory from libffi's
 * allocator, and Debian builds libffi without them. So no ffi_closure_alloc,
 * whose first use reads /proc/self/status and /proc/mounts and maps a page
 * read+write+exec.
 */
int call_closure_write(struct hook *h, void *at)
{
	if (ffi_prep_closure_loc(at, &h->cif, call_handler, h, at) != FFI_OK) {
		snprintf(h->why, sizeof h->why, "libffi cannot make a closure");
		return -1;
	}
	return 0;
}

int call_closure_page(struct hook *h)
{
	void *page = mmap(NULL, sizeof(ffi_closure), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED) {
		snprintf(h->why, sizeof h->why, "no memory for its closure: %s", strerror(errno));
		return -1;
	}
	if (call_closure_write(h, page) < 0) {
		munmap(page, sizeof(ffi_closure));
		return -1;
	}
	if (mprotect(page, sizeof(ffi_closure), PROT_READ | PROT_EXEC) < 0) {
		snprintf(h->why, sizeof h->why, "cannot make its closure executable: %s",
			 strerror(errno));
		munmap(page, sizeof(ffi_closure));
		return -1;
	}
	h->entry = page;
	return 0;
}

void call_prime(struct hook *h)
{
	key_prefix(&h->prefix, memo_cfg.cache.namespace_, h->generation, h->identity,
		   &h->fn->proto, h->fn->repeated ? KEY_RULE_REPEATED : 0);
	h->threshold_ns = (uint64_t)(h->fn->time_threshold * 1e9);
}
