/*
 * hook: the run-time state of one configured function, shared by the modules
 * that find it (symbols), identify it (identity), route calls to it (got,
 * inline) and serve its calls (call).
 * Written at start-up (and under hooks_lock when a dlopen resolves it later);
 * read lock-free on the hot path once `state` is HOOK_ACTIVE.
 */
#ifndef MEMO_HOOK_H
#define MEMO_HOOK_H

#include <blake2.h>
#include <ffi.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/uio.h>

#include "config/config.h"
#include "base/stats.h"

#define HOOK_MAX_GLOBALS 8

struct inline_desc;

enum hook_state {
	HOOK_UNRESOLVED = 0,	/* not (yet) found in any loaded object */
	HOOK_ACTIVE,		/* resolved, closure ready: calls are memoized */
	HOOK_FAILED,		/* cannot be memoized; `why` says so */
};

struct hook {
	const struct function_config *fn;

	/* symbols: the definition calls bind to */
	void *target;			/* the implementation's address */
	char path[PATH_MAX];		/* the ELF file that defines it */
	uintptr_t base;			/* that object's load bias */
	int dynsym_only;		/* that file has no .symtab: the loader's tables say all */

	/* identity: BLAKE2b code identity (identity.c) */
	uint8_t identity[32];

	/* call: how to call it and how to key it */
	void *orig;			/* what calls the original (target, or a trampoline) */
	ffi_cif cif;
	ffi_type *atypes[PROTO_MAX_ARGS];
	void *entry;			/* the libffi closure, read+exec: where hooked calls go */
	/* what serves a hit in the inline entry before it saves any vector
	 * state (l1_entry_hit), or NULL where the calls do not qualify */
	int (*entry_hit)(const struct inline_desc *d, uint8_t *frame);
	blake2b_state prefix;		/* key prefix, hashed once */
	uint64_t generation;		/* flush generation (memo flush), read by hook_prime */
	uint64_t threshold_ns;
	pthread_key_t strbuf;		/* RET_STRING_STATIC: per-thread result buffer */
	int warned;			/* warn_once bits (call.c) */

	/* `globals = ...`: variables whose current bytes join each call's key */
	int nglobals;
	struct iovec globals[HOOK_MAX_GLOBALS];

	/* adaptive bypass (call.c): exponentially weighted means, in ns, of
	 * the body's time and of a shared-store lookup's; relaxed atomics */
	uint64_t body_ns, lookup_ns;
	uint32_t cost_samples, bypass_tick;

	struct memo_stats stats;
	int state;			/* enum hook_state */
	int primed;			/* hook_prime: 0 not yet, 1 done, -1 failed */
	int got_slots;			/* GOT slots pointing at entry */
	char why[512];			/* HOOK_FAILED: the reason */
};

/* Every configured function, in config order. Written at start-up before
 * any hook is installed; `nhooks` never changes after. */
extern struct hook *hooks;
extern int nhooks;
/* Serializes patching (start-up and dlopen); never taken on the hot path. */
extern pthread_mutex_t hooks_lock;

/* symbols.c: find `h->fn->symbol` (at its version, in `object` if set) in
 * the loaded objects' .symtab (static functions too) or .dynsym, the main
 * program first, then in link-map order; an IFUNC gives the implementation
 * its resolver chooses. 0, or -1 with h->why set; a
 * symbol refused for good (deny list, not a function) is logged here and
 * left HOOK_FAILED, a missing one stays HOOK_UNRESOLVED. */
int sym_resolve(struct hook *h);

/* identity.c: compute h->identity from h->path and h->target. 0, or -1 with
 * h->why set. */
int identity_compute(struct hook *h);

/* engine.c: make an unresolved hook memoized: sym_resolve, call_prepare,
 * entry-patch where the mechanism allows (the closure in the stub page),
 * else call_closure_page, then state = HOOK_ACTIVE
 * (published last, with release). 0, or -1 with h->why set: a refused
 * symbol or a failed step leaves HOOK_FAILED; a symbol not (yet) loaded
 * leaves HOOK_UNRESOLVED (a later dlopen may bring it: got_install_all tries
 * again). The caller logs (hook_log_failure).
 * Under hooks_lock, or before any thread exists. */
int hook_activate(struct hook *h);
/* engine.c: what only a call needs, done at a hook's first call so that a
 * process which never calls it pays nothing for it: open the store (the
 * first time), identity_compute, the flush generation, call_prime, the
 * explain record. 0, or -1 (said on stderr once): the hook's calls then go
 * to the original. Takes hooks_lock with memo_busy set; since whoever holds
 * hooks_lock has memo_busy set (start-up, got_after_dlopen, here), a hooked
 * call made under it goes to the original and never waits for the lock. */
int hook_prime(struct hook *h);
void hook_log_failure(const struct hook *h);

/* call.c: prepare a resolved hook's call description (its libffi cif and
 * call plan); its closure comes after. 0, or -1 with h->why set. */
int call_prepare(struct hook *h);
/* call.c: write h's libffi closure (sizeof(ffi_closure) bytes) at `at`, in
 * memory still writable that will run at `at` once made read+exec: no page
 * is ever writable and executable. inline_prepare puts it in the hook's
 * stub page. 0, or -1 with h->why set. */
int call_closure_write(struct hook *h, void *at);
/* call.c: for a hook that is not entry-patched, its closure alone in a page
 * made read+exec once written; sets h->entry. 0, or -1 with h->why set. */
int call_closure_page(struct hook *h);
/* call.c: the key prefix and threshold, once identity and generation are known. */
void call_prime(struct hook *h);

#endif
