/*
 * store: opens the backends the config asks for, and layers a folder in front
 * of memcached (get: folder, then memcached, filling the folder on a memcached
 * hit; set and del: both). Loads libmemo-memcached.so on demand (dlopen).
 * store_open runs once, at the first call of a configured function (under
 * runtime_lock), or in the memo command; the layered operations are hot-path safe
 * as their layers are (no lock, no allocation of their own), any thread.
 */
#include "store/store.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/sigframe.h"

/* Set by the memo command, which links the memcached backend in; NULL in
 * libmemo-engine.so, where store_open loads it from the engine's own folder. */
store_open_fn *store_memcached_opener;

/* This thread's heap for the call being served (store_heap_known): 1 may
 * be used, -1 not (inside a signal handler), 0 not known yet. */
static __thread signed char heap_ok;

void store_heap_known(bool safe)
{
	heap_ok = safe;
}

bool store_may_allocate(void)
{
	if (!heap_ok)
		heap_ok = sigframe_in_handler() ? -1 : 1;
	return heap_ok > 0;
}

struct layered {
	struct store base;
	struct store *front;	/* the folder: local, fast */
	struct store *back;	/* memcached: shared by every process and node */
};

#define LS(s) ((struct layered *)(s))

/* The folder first, then the shared layer (asked for the lease with the
 * entry when `lease` is set: single flight's lookup); a value found there is
 * kept in the folder, so that the next lookup on this host stays local. */
static int layered_fetch(struct store *s, const struct memo_key *k, const struct memo_key *lease,
			 uint64_t owner, int ttl_ms, struct membuf *out, int *held,
			 struct memo_stats *st)
{
	struct layered *l = LS(s);
	size_t at = out->len;
	int r;

	r = store_get(l->front, k, out, st);
	if (r == STORE_HIT)
		return r;
	out->len = at;
	r = lease ? l->back->ops->get_leased(l->back, k, lease, owner, ttl_ms, out, held, st)
		  : store_get(l->back, k, out, st);
	if (r == STORE_HIT)
		store_set(l->front, k, out->data + at, out->len - at, st);
	return r;
}

static int layered_get(struct store *s, const struct memo_key *k,
		       struct membuf *out, struct memo_stats *st)
{
	return layered_fetch(s, k, NULL, 0, 0, out, NULL, st);
}

static int layered_set(struct store *s, const struct memo_key *k, const void *v,
		       size_t n, struct memo_stats *st)
{
	struct layered *l = LS(s);
	int rf = store_set(l->front, k, v, n, st);
	int rb = store_set(l->back, k, v, n, st);

	return rf >= 0 || rb >= 0 ? 0 : rb;
}

/* Read-modify-write entries (repeated evaluations) live in the shared layer
 * only: a folder copy would be a stale mean that no cas updates. */
static int layered_gets(struct store *s, const struct memo_key *k,
			struct membuf *out, uint64_t *token, struct memo_stats *st)
{
	struct store *b = LS(s)->back;

	return b->ops->gets(b, k, out, token, st);
}

static int layered_cas(struct store *s, const struct memo_key *k, const void *v,
		       size_t n, uint64_t token, struct memo_stats *st)
{
	struct store *b = LS(s)->back;

	return b->ops->cas(b, k, v, n, token, st);
}

static int layered_del(struct store *s, const struct memo_key *k,
		       struct memo_stats *st)
{
	int rf = store_del(LS(s)->front, k, st);
	int rb = store_del(LS(s)->back, k, st);

	if (rf == STORE_HIT || rb == STORE_HIT)
		return STORE_HIT;
	return rb < 0 ? rb : rf;
}

/* A lease must be seen by every node: it lives in the shared layer when that
 * layer has leases, else in the folder. */
static int layered_lease(struct store *s, const struct memo_key *k, const struct memo_key *lease,
			 uint64_t owner, int ttl_ms, struct memo_stats *st)
{
	struct store *b = LS(s)->back->ops->lease ? LS(s)->back : LS(s)->front;

	return b->ops->lease ? b->ops->lease(b, k, lease, owner, ttl_ms, st) : STORE_ERROR;
}

static int layered_get_leased(struct store *s, const struct memo_key *k,
			      const struct memo_key *lease, uint64_t owner, int ttl_ms,
			      struct membuf *out, int *held, struct memo_stats *st)
{
	return layered_fetch(s, k, lease, owner, ttl_ms, out, held, st);
}

/* The shared layer's servers: the folder in front is one place. */
static int layered_server_of(struct store *s, const struct memo_key *k)
{
	return store_server_of(LS(s)->back, k);
}

static void layered_after_fork(struct store *s)
{
	store_after_fork(LS(s)->front);
	store_after_fork(LS(s)->back);
}

static void layered_report(struct store *s, FILE *out)
{
	LS(s)->front->ops->report(LS(s)->front, out);
	LS(s)->back->ops->report(LS(s)->back, out);
}

static void layered_take_evicted(struct store *s, uint64_t *entries, uint64_t *disk)
{
	struct store *f = LS(s)->front, *b = LS(s)->back;

	if (f->ops->take_evicted)
		f->ops->take_evicted(f, entries, disk);
	if (b->ops->take_evicted)
		b->ops->take_evicted(b, entries, disk);
}

static void layered_sync(struct store *s)
{
	store_sync(LS(s)->front);
	store_sync(LS(s)->back);
}

static void layered_free(struct store *s)
{
	store_free(LS(s)->front);
	store_free(LS(s)->back);
	free(s);
}

static const struct store_ops layered_ops = {
	.name = "folder+memcached",
	.get = layered_get,
	.set = layered_set,
	.gets = layered_gets,
	.cas = layered_cas,
	.server_of = layered_server_of,
	.del = layered_del,
	.after_fork = layered_after_fork,
	.report = layered_report,
	.free = layered_free,
	.sync = layered_sync,
	.take_evicted = layered_take_evicted,
	.lease = layered_lease,
	.get_leased = layered_get_leased,	/* the back is memcached, which has it */
};

/* libmemo-memcached.so from the folder this library was loaded from, so a
 * process that names no servers never maps libmemcached. The handle is kept
 * for the life of the process (the backend's code runs until exit). */
static store_open_fn *memcached_load(void)
{
	char path[PATH_MAX];
	const char *slash;
	store_open_fn *fn;
	Dl_info info;
	void *h;

	if (dladdr((void *)store_open, &info) && info.dli_fname &&
	    (slash = strrchr(info.dli_fname, '/')))
		snprintf(path, sizeof path, "%.*s/libmemo-memcached.so",
			 (int)(slash - info.dli_fname), info.dli_fname);
	else
		snprintf(path, sizeof path, "libmemo-memcached.so");
	h = dlopen(path, RTLD_LOCAL | RTLD_NOW);
	if (!h) {
		log_error("'%s': cannot load the memcached backend: %s", path, dlerror());
		return NULL;
	}
	fn = (store_open_fn *)dlsym(h, STORE_MEMCACHED_OPEN_SYM);
	if (!fn) {
		log_error("'%s': no '%s' in the memcached backend", path,
			  STORE_MEMCACHED_OPEN_SYM);
		dlclose(h);
	}
	return fn;
}

struct store *store_open(const struct cache_config *c)
{
	struct store *folder = NULL, *mc = NULL;
	struct layered *l;

	if (c->dir[0])
		folder = store_folder_open(c);
	if (c->servers[0]) {
		store_open_fn *open_mc = store_memcached_opener;

		if (!open_mc)
			open_mc = memcached_load();
		if (open_mc) {
			struct log_state voice;	/* the backend speaks as the engine */

			log_state_get(&voice);
			mc = open_mc(c, &voice);
		}
		if (mc)
			mc->may_allocate = store_may_allocate;
		if (!mc && folder)
			log_warn("'%s': memcached unavailable, using the folder store alone",
				 c->servers);
	}
	if (!folder || !mc)
		return folder ? folder : mc;
	l = calloc(1, sizeof *l);
	if (!l) {
		store_free(mc);
		return folder;
	}
	l->base.ops = &layered_ops;
	l->front = folder;
	l->back = mc;
	return &l->base;
}
