/*
 * hook: the record of one configured function, filled layer by layer: find
 * says where it is (symbols.c) and what its code is (identity.c); call how
 * to call and key it (call/closure.c, call/prime.c) and counts its calls;
 * patch routes calls to it (patch/inline.c, patch/got.c). The array of
 * every hook lives in call/runtime.h.
 * Written at start-up (and under runtime_lock when a dlopen resolves it, or
 * at its first call); read lock-free on the hot path once `state` is
 * HOOK_ACTIVE. hook.c says why a function is refused: a code with a stable
 * name (tests match it), and a text.
 */
#ifndef MEMO_HOOK_H
#define MEMO_HOOK_H

#include <blake2.h>
#include <ffi.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "config/config.h"
#include "base/stats.h"

#define HOOK_MAX_GLOBALS 8
/* servers told apart by the latency-aware skip (store.h STORE_SERVERS) */
#define HOOK_SERVERS 16
/* struct hook.primed: primed but for the flush generation (call/prime.c) */
#define PRIMED_NO_GENERATION 2

struct inline_desc;

enum hook_state {
	HOOK_UNRESOLVED = 0,	/* not (yet) found in any loaded object */
	HOOK_ACTIVE,		/* resolved, closure ready: calls are memoized */
	HOOK_FAILED,		/* cannot be memoized; `refusal` and `why` say so */
};

/*
 * Why a function cannot be memoized, or cannot be entry-patched (then only
 * its calls through GOT slots are), as funchook's FUNCHOOK_ERROR_* codes:
 * each has a short name (hook_refusal_name) that messages print in brackets
 * before the text,
 *
 *     'f' (memo.d/f.conf:3) cannot be memoized [variadic]: variadic function (...)
 *
 * The names are stable: tests and scripts match them, never the text, which
 * may be reworded. New codes may come; a name never changes meaning. The
 * numbers are not stable (nothing outside one build sees them).
 */
enum hook_refusal {
	REFUSE_NONE = 0,		/* "none": not refused */
	/* finding it (symbols.c) */
	REFUSE_NOT_FOUND,		/* "not-found": in no loaded object (yet) */
	REFUSE_STRIPPED,		/* "stripped": not found, and the object named has no .symtab */
	REFUSE_CLONED,			/* "cloned": not found, the compiler kept only clones of it */
	REFUSE_DENIED,			/* "denied": on the deny list (libmemo itself uses it) */
	REFUSE_NOT_FUNCTION,		/* "not-function": the symbol is not code */
	REFUSE_AMBIGUOUS,		/* "ambiguous": several static functions of that name */
	/* calling it (call.c) */
	REFUSE_FFI_TYPE,		/* "ffi-type": libffi cannot pass an argument or describe the prototype */
	REFUSE_FFI_CLOSURE,		/* "ffi-closure": libffi cannot make its closure */
	REFUSE_NOT_NUMERIC,		/* "not-numeric": repeated evaluations need a numeric result */
	REFUSE_CXX_OBJECT,		/* "cxx-object": returns a C++ object that is not trivially
					 * copyable (std::string...) by value: a cached copy would
					 * share, then free twice, what the object owns */
	REFUSE_NO_TLS_KEY,		/* "no-tls-key": no thread-specific key left */
	REFUSE_PROTO_MISMATCH,		/* "prototype-mismatch": the debug info describes other
					 * arguments or another return (signature.c) */
	/* keying it (identity.c, engine.c) */
	REFUSE_NO_IDENTITY,		/* "no-identity": its code identity cannot be computed */
	REFUSE_NO_GLOBAL,		/* "no-global": a `globals =` variable is not in its object */
	REFUSE_THREAD_LOCAL,		/* "thread-local": a `globals =` variable is thread-local */
	REFUSE_TOO_MANY_GLOBALS,	/* "too-many-globals": more than HOOK_MAX_GLOBALS */
	/* entry-patching it (inline.c) */
	REFUSE_NO_SIZE,			/* "no-size": no symbol gives its size: it cannot be scanned */
	REFUSE_TOO_SHORT,		/* "too-short": shorter than the jump */
	REFUSE_UNDECODABLE,		/* "undecodable": an instruction Zydis cannot decode */
	REFUSE_BACK_JUMP,		/* "back-jump": a branch into the bytes the jump replaces */
	REFUSE_VARIADIC,		/* "variadic": a variadic prologue */
	REFUSE_UNRELOCATABLE,		/* "unrelocatable": a displaced instruction cannot be moved */
	REFUSE_OUT_OF_REACH,		/* "out-of-reach": nothing free within rel32 reach */
	REFUSE_NOT_ATOMIC,		/* "not-atomic": the jump cannot be written atomically */
	REFUSE_ALREADY_PATCHED,		/* "already-patched": prepared or installed before */
	REFUSE_NOT_PREPARED,		/* "not-prepared": installed without inline_prepare */
	/* any step */
	REFUSE_UNREADABLE,		/* "unreadable": its ELF file cannot be read */
	REFUSE_NO_MEMORY,		/* "no-memory": an allocation or a mapping failed */
	REFUSE_MPROTECT,		/* "mprotect": a page's protection cannot be changed */
	REFUSE_COUNT
};

struct hook {
	const struct function_config *fn;
	int index;			/* in hooks[] (call/runtime.h), set at start-up */

	/* symbols: the definition calls bind to */
	void *target;			/* the implementation's address */
	/* the ELF file that defines it, NULL or "" until found: a string
	 * kept for the process's life (sym_keep_path); a PATH_MAX array here
	 * made each hook ~6 KB, a page fault a hook at start */
	const char *path;
	const char *sym_name;		/* its symbol there: the mangled one for a C++
					 * name configured demangled (kept for the
					 * process's life), else fn->symbol */
	uintptr_t base;			/* that object's load bias */
	const void *object;		/* its link_map: which load of it (activate.c) */
	uint8_t loaded_id[32];		/* that load's build-id, as mapped (activate.c) */
	uint8_t loaded_id_len;		/* 0: none */
	/* that load's code, [code_lo, code_hi): its executable segments
	 * (activate.c); the entry saves the vector state only for a caller
	 * there (entry.S). 0, 0: not known, every caller's is saved */
	uintptr_t code_lo, code_hi;
	struct stat file;		/* `path` when it was activated: the file loaded */
	unsigned reloads;		/* times its object was unloaded and the hook retired */
	int dynsym_only;		/* that file has no .symtab: the loader's tables say all */
	int sym_global;			/* else: its .symtab definition is not local */
	/* and the extent inline.c checks (elf.h elf_image_extent), as vaddrs in
	 * that file; extent_size 0: no symbol with a size there */
	uint64_t extent_size, extent_cold, extent_cold_size;

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
	/* what the inline entry calls instead of the closure, with the
	 * arguments where the entry saved them (call_entry), or NULL where the
	 * closure must unpack them */
	void (*entry_call)(const struct inline_desc *d, uint8_t *frame);
	blake2b_state prefix;		/* key prefix, hashed once */
	uint64_t generation;		/* flush generation (memo flush), read by prime_hook */
	uint64_t tag;			/* in each value it stores (records_function_tag): prime_hook */
	uint64_t threshold_ns;
	pthread_key_t strbuf;		/* RET_STRING_STATIC: per-thread result buffer */
	int warned;			/* warn_once bits (call.c) */
	/* its counters, by thread: stats_mine(h->stats). In an array of their
	 * own (engine.c), 16 cache lines a hook: here, they put each hook's
	 * start-up writes on pages of their own (ten hooks: ten pages, not five) */
	struct stats_shards *stats;

	/* `globals = ...`: variables whose current bytes join each call's key */
	int nglobals;
	struct iovec globals[HOOK_MAX_GLOBALS];

	/* adaptive bypass (call.c): exponentially weighted means, in ns, of
	 * the body's time and of a shared-store lookup's; relaxed atomics.
	 * From here to `state`, what calls write: kept a cache line apart
	 * (the pads) from what every call reads, so that threads calling at
	 * once do not also miss on that */
	char write_pad[64];
	uint64_t body_ns, lookup_ns;
	uint32_t cost_samples, bypass_tick;
	/* the same for each server of the shared store (store_server_of): a
	 * server slower to ask than the body is to run is skipped (call.c) */
	uint64_t server_ns[HOOK_SERVERS];
	uint32_t server_samples[HOOK_SERVERS];
	/* single flight (flight.c): the last call's first lookup hit, so the
	 * next asks without taking the lease; relaxed atomic */
	uint8_t flight_hit;

	char read_pad[64];
	int state;			/* enum hook_state */
	int primed;			/* prime_hook: 0 not yet, 1 done, -1 failed,
					 * PRIMED_NO_GENERATION: all but the flush
					 * generation, asked again at generation_retry_ns */
	uint64_t generation_retry_ns;	/* monotonic clock */
	int generation_unknown_said;
	int got_slots;			/* GOT slots pointing at entry */
	/* the last refusal (hook_refuse): why it is HOOK_FAILED or
	 * HOOK_UNRESOLVED, or why an ACTIVE one is not entry-patched */
	enum hook_refusal refusal;
	char why[512];			/* its text: last, written only on a refusal */
};

/* hook.c: the stable short name of a refusal code ("variadic"), "?" for
 * one out of range. */
const char *hook_refusal_name(enum hook_refusal code);
/* hook.c: say on stderr that h cannot be memoized, with its config line,
 * its code and its text: the one format of that line. */
void hook_log_refusal(const struct hook *h);
/* hook.c: record why h is refused: the code, and the text from fmt. Returns
 * -1, so that a refusing function may end with `return hook_refuse(...)`.
 * Sets no state: a refusal may be for good (HOOK_FAILED), for now (a symbol
 * a later dlopen may bring) or of entry patching alone; the caller says which. */
int hook_refuse(struct hook *h, enum hook_refusal code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
