/*
 * prime: what only a call needs, done at a hook's first call, so that a
 * process which never calls a configured function pays nothing for it:
 * open the store (the first time any hook is called), the hook's code
 * identity and `globals`, its flush generation, its key prefix, and its
 * explain record. Calls store, records, find (identity), explain, key, log,
 * util.
 * Runs under runtime_lock (guard taken), from the call path.
 */
#include "call/prime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/util.h"
#include "call/explain.h"
#include "call/runtime.h"
#include "find/identity.h"
#include "store/key.h"
#include "store/records.h"
#include "store/store.h"

/* Whether the store was opened (or tried), under runtime_lock. */
static int store_tried;

/* Identities are cached per build-id beside the entries (or in the default
 * cache folder when only memcached is configured). Folders made whatever the
 * umask; an identity folder its owner cannot use (made under umask 0777) is
 * repaired, else its cache is simply not used: identities are recomputed. */
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
	    (util_mkdirat(AT_FDCWD, dir, 0700) == 0 || errno == EEXIST) &&
	    (util_mkdirat(AT_FDCWD, path, 0700) == 0 ||
	     (errno == EEXIST && util_repair_mode(AT_FDCWD, path, S_IRUSR | S_IXUSR, S_IRWXU, NULL) >= 0)))
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
			return hook_refuse(h, REFUSE_TOO_MANY_GLOBALS, "more than %d globals",
					   HOOK_MAX_GLOBALS);
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

/* The key prefix and threshold, once identity and generation are known. */
static void prime_key(struct hook *h)
{
	key_prefix(&h->prefix, memo_cfg.cache.namespace_, h->generation, h->identity,
		   &h->fn->proto, key_rules(h->fn));
	h->threshold_ns = (uint64_t)(h->fn->time_threshold * 1e9);
}

/* The part of prime_hook that runs once per hook, under runtime_lock. */
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
		hook_log_refusal(h);
		return -1;
	}
	warn_impurity(h);
	/* the flush generation (store/records.h): the record for all symbols,
	 * read once per process, plus this symbol's */
	static uint64_t all_generation, all_read;
	if (!all_read++)
		all_generation = records_generation_read(memo_store, memo_cfg.cache.namespace_,
							 RECORDS_ALL_SYMBOLS, &h->stats);
	h->generation = all_generation + records_generation_read(memo_store,
			memo_cfg.cache.namespace_, h->fn->symbol, &h->stats);
	prime_key(h);
	h->tag = records_function_tag(memo_cfg.cache.namespace_, h->fn->symbol);
	explain_activate(h);	/* explain.c: remember this state, see what changed */
	return 0;
}

int prime_hook(struct hook *h)
{
	int was = runtime_lock(), primed;

	primed = __atomic_load_n(&h->primed, __ATOMIC_ACQUIRE);
	if (!primed) {
		primed = prime_locked(h) == 0 ? 1 : -1;
		__atomic_store_n(&h->primed, primed, __ATOMIC_RELEASE);
	}
	runtime_unlock(was);
	return primed > 0 ? 0 : -1;
}
