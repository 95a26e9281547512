/*
 * engine: start-up (engine.h), run once by the preload with the
 * config it loaded: activate each configured function (resolve, identify,
 * prepare its closure, entry-patch), route calls through GOT slots, register
 * fork handlers, mark ready — and a destructor dumps stats at exit.
 * A hook reached before ready or after teardown began calls the original.
 * Calls every other module; runs single-threaded before main, and under
 * hooks_lock when a dlopen brings a configured symbol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/engine.h"
#include "call/explain.h"
#include "patch/got.h"
#include "find/hook.h"
#include "find/identity.h"
#include "patch/inline.h"
#include "store/records.h"
#include "base/log.h"
#include "call/runtime.h"
#include "store/secret.h"
#include "base/stats.h"
#include "store/treehash.h"
#include "store/store.h"

int memo_state;
struct memo_config memo_cfg;
__thread int memo_busy __attribute__((tls_model("initial-exec")));
struct store *memo_store;
struct hook *hooks;
int nhooks;

/* Read once at start-up: where stats go (MEMO_STATS, else [cache] stats). */
static const char *stats_dest;
static int store_tried;

/* A symbol's flush generation (records.h; `memo flush` bumps it). Read once
 * per symbol at activation. */
static uint64_t read_generation(const char *name, struct memo_stats *st)
{
	return records_generation_read(memo_store, memo_cfg.cache.namespace_, name, st);
}

/* Identities are cached per build-id beside the entries (or in the default
 * cache folder when only memcached is configured). */
static void identity_cache_dir(void)
{
	struct cache_config defaults;
	char path[PATH_MAX + 16];
	const char *dir = memo_cfg.cache.dir;

	if (!dir[0]) {
		config_cache_defaults(&defaults);
		dir = defaults.dir;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/identity", dir) < sizeof path &&
	    (mkdir(dir, 0700) == 0 || errno == EEXIST) &&
	    (mkdir(path, 0700) == 0 || errno == EEXIST))
		identity_set_cache_dir(path);
}

/* `globals = a, b`: find each variable, so its bytes join every key. */
static int bind_globals(struct hook *h)
{
	char list[sizeof h->fn->globals], *name, *save = NULL;
	void *addr;
	size_t size;

	snprintf(list, sizeof list, "%s", h->fn->globals);
	for (name = strtok_r(list, ", \t", &save); name; name = strtok_r(NULL, ", \t", &save)) {
		if (h->nglobals == HOOK_MAX_GLOBALS) {
			snprintf(h->why, sizeof h->why, "more than %d globals", HOOK_MAX_GLOBALS);
			return -1;
		}
		if (identity_global_addr(h, name, &addr, &size) < 0)
			return -1;
		h->globals[h->nglobals].iov_base = addr;
		h->globals[h->nglobals].iov_len = size;
		h->nglobals++;
	}
	return 0;
}

/* A function that reads writable globals may not be pure: say so once, unless
 * the config already keys on them. */
static void warn_impurity(struct hook *h)
{
	char names[512];

	if (identity_globals_read(h, names, sizeof names) > 0 && !h->fn->globals[0])
		log_warn("'%s' reads writable globals (%s): a change to them is not seen by the "
			 "cache; list them in 'globals =' (%s:%d) to key on their values",
			 h->fn->symbol, names, h->fn->file, h->fn->line);
}

int hook_activate(struct hook *h)
{
	if (h->state != HOOK_UNRESOLVED)
		return h->state == HOOK_ACTIVE ? 0 : -1;
	if (sym_resolve(h) < 0)
		return -1;
	if (call_prepare(h) < 0)
		goto failed;
	if (h->fn->mechanism != MECH_GOT &&
	    (inline_prepare(h, call_closure_write) < 0 || inline_install(h) < 0)) {
		if (h->fn->mechanism == MECH_INLINE)
			goto failed;
		log_warn("'%s': not entry-patched (%s); only calls through GOT slots are memoized",
			 h->fn->symbol, h->why);
	}
	/* not entry-patched: its GOT slots still need a closure */
	if (!h->entry && call_closure_page(h) < 0)
		goto failed;
	__atomic_store_n(&h->state, HOOK_ACTIVE, __ATOMIC_RELEASE);
	log_info("'%s' memoized (%s)", h->fn->symbol, h->path);
	return 0;
failed:
	h->state = HOOK_FAILED;
	return -1;
}

/* The part of hook_prime that runs once per hook, under hooks_lock. */
static int prime_locked(struct hook *h)
{
	if (!store_tried) {
		store_tried = 1;
		memo_store = store_open(&memo_cfg.cache);
		identity_cache_dir();
		if (!memo_store)
			log_warn("no cache could be opened; calls run unmemoized");
	}
	if (!memo_store)
		return -1;
	if (identity_compute(h) < 0 || bind_globals(h) < 0) {
		log_warn("'%s' (%s:%d) cannot be memoized: %s", h->fn->symbol, h->fn->file,
			 h->fn->line, h->why);
		return -1;
	}
	warn_impurity(h);
	/* "*" (memo flush without a symbol) is read once per process */
	static uint64_t all_generation, all_read;
	if (!all_read++)
		all_generation = read_generation("*", &h->stats);
	h->generation = all_generation + read_generation(h->fn->symbol, &h->stats);
	call_prime(h);
	explain_activate(h);	/* explain.c: remember this state, see what changed */
	return 0;
}

int hook_prime(struct hook *h)
{
	int busy = memo_busy, primed;

	memo_busy = 1;	/* whoever holds hooks_lock is busy: see hook.h */
	pthread_mutex_lock(&hooks_lock);
	primed = __atomic_load_n(&h->primed, __ATOMIC_ACQUIRE);
	if (!primed) {
		primed = prime_locked(h) == 0 ? 1 : -1;
		__atomic_store_n(&h->primed, primed, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&hooks_lock);
	memo_busy = busy;
	return primed > 0 ? 0 : -1;
}

void hook_log_failure(const struct hook *h)
{
	if (h->state == HOOK_FAILED)
		log_warn("'%s' (%s:%d) cannot be memoized: %s", h->fn->symbol, h->fn->file,
			 h->fn->line, h->why);
	else if (h->state == HOOK_UNRESOLVED)
		log_warn("'%s' (%s:%d): %s; its calls are not memoized unless a later dlopen loads it",
			 h->fn->symbol, h->fn->file, h->fn->line, h->why);
}

/* A fork while another thread patches after a dlopen must not leave the
 * child with hooks_lock held by a thread it does not have. */
static void before_fork(void)
{
	pthread_mutex_lock(&hooks_lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&hooks_lock);
}

static void after_fork_child(void)
{
	int i;

	pthread_mutex_unlock(&hooks_lock);
	treehash_after_fork();
	for (i = 0; i < nhooks; i++)
		stats_reset(&hooks[i].stats);
	if (memo_store)
		store_after_fork(memo_store);
}

/* The engine's entry (engine.h): the preload has loaded a valid config. */
__attribute__((visibility("default"))) void memo_engine_start(const struct memo_config *cfg)
{
	int i, active = 0;

	log_init();
	memo_cfg = *cfg;
	explain_init();
	/* The MAC key, before any value is encoded or decoded. A refused secret
	 * is like a config error: no value could be trusted or stored. */
	if (secret_load(&memo_cfg.cache) < 0) {
		if (env_flag("MEMO_STRICT")) {
			log_error("the secret file is refused; exiting (MEMO_STRICT)");
			_exit(2);
		}
		log_error("the secret file is refused; running unmemoized");
		return;
	}
	stats_dest = getenv("MEMO_STATS");
	if (!stats_dest || !*stats_dest)
		stats_dest = memo_cfg.cache.stats;

	nhooks = memo_cfg.nfuncs;
	hooks = calloc(nhooks ? nhooks : 1, sizeof *hooks);
	if (!hooks) {
		log_error("out of memory at start-up; running unmemoized");
		return;
	}
	inline_batch(true);
	for (i = 0; i < nhooks; i++) {
		hooks[i].fn = &memo_cfg.funcs[i];
		if (hook_activate(&hooks[i]) == 0)
			active++;
	}
	inline_batch(false);
	/* A process that holds none of the configured functions (the shell or
	 * the make that starts the real program, inheriting LD_PRELOAD) stays
	 * quiet about them; where some are found, the missing ones are named. */
	for (i = 0; i < nhooks; i++)
		if (hooks[i].state == HOOK_FAILED || (active && hooks[i].state == HOOK_UNRESOLVED))
			hook_log_failure(&hooks[i]);
		else if (hooks[i].state == HOOK_UNRESOLVED)
			log_info("'%s' is not in this process", hooks[i].fn->symbol);
	got_install_all();
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
	__atomic_store_n(&memo_state, MEMO_READY, __ATOMIC_RELEASE);
}

/* Runs at exit (also in forked children). The store is left open: other
 * threads may still be inside hooked calls, and they now call originals. */
__attribute__((destructor)) static void memo_stop(void)
{
	struct stats_row rows[256];
	int i, n = 0;

	if (__atomic_exchange_n(&memo_state, MEMO_STOPPING, __ATOMIC_ACQ_REL) != MEMO_READY)
		return;
	for (i = 0; i < nhooks && n < (int)(sizeof rows / sizeof rows[0]); i++)
		if (hooks[i].state == HOOK_ACTIVE || STAT_GET(&hooks[i].stats, calls))
			rows[n++] = (struct stats_row){ hooks[i].fn->symbol, &hooks[i].stats };
	if (n)	/* a process without any configured function has nothing to report */
		stats_dump(stats_dest, rows, n);
}
