/*
 * hook: the record of one configured function, filled layer by layer: find
 * says where it is (symbols.c) and what its code is (identity.c); call how
 * to call and key it (call/closure.c, call/prime.c) and counts its calls;
 * patch routes calls to it (patch/inline.c, patch/got.c). The array of
 * every hook lives in call/runtime.h.
 * Written at start-up (and under runtime_lock when a dlopen resolves it, or
 * at its first call); read lock-free on the hot path once `state` is
 * HOOK_ACTIVE. Only a struct: this header declares no function.
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
	int index;			/* in hooks[] (call/runtime.h), set at start-up */

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
	uint64_t generation;		/* flush generation (memo flush), read by prime_hook */
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
	int primed;			/* prime_hook: 0 not yet, 1 done, -1 failed */
	int got_slots;			/* GOT slots pointing at entry */
	char why[512];			/* HOOK_FAILED: the reason */
};

#endif
