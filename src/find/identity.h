/*
 * identity: a function's code identity, what went into it, and the writable
 * globals it reads.
 * Calls elf, Zydis, libb2, libdl. Start-up and tools only (decodes, allocates;
 * one mutex serializes it, so a dlopen while threads run is safe); never on
 * the hot path. Everything is computed from the ELF file on disk, once per
 * function per process, and cached by build-id in the cache folder when one
 * is set (identity_set_cache_dir).
 */
#ifndef MEMO_IDENTITY_H
#define MEMO_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "find/hook.h"

/* What an identity depends on, as reported by identity_explain. */
enum identity_part {
	IDENTITY_CODE,		/* name = the function (or "NAME.cold"), detail = its bytes */
	IDENTITY_CALLEE,	/* a function of the same object it calls or takes the address of */
	IDENTITY_IMPORT,	/* detail = "name@version provider" (provider.h) */
	IDENTITY_RODATA,	/* read-only data it reads; detail = what and how many bytes */
	IDENTITY_WRITABLE,	/* a writable global or TLS variable it reads: not in the identity */
	IDENTITY_DIGEST,	/* identity_parts only, after a function's other parts:
				 * detail = "code HEX data HEX strings HEX" */
};

/* Bytes of each IDENTITY_DIGEST digest (hex: twice as many digits). */
#define IDENTITY_DIGEST_BYTES 16

typedef void identity_visit_fn(void *ctx, enum identity_part part, int depth,
			       const char *name, const char *detail);

/* Compute h->identity from h->path and h->target. 0, or -1 refused
 * (hook_refuse, REFUSE_NO_IDENTITY). */
int identity_compute(struct hook *h);

/* The identity of the function at file address `vaddr` of the ELF file
 * `path`, into out[32]. With `visit`, reports every part that went into it,
 * depth-first (depth 0 = the function itself, 1 = its direct callees...).
 * 0, or -1 with why[] set. */
int identity_of(const char *path, uint64_t vaddr, uint8_t out[32],
		identity_visit_fn *visit, void *ctx, char *why, size_t whylen);

/* As identity_of with a visitor, and after each function's parts one more
 * report, IDENTITY_DIGEST, with digests of what went into its own identity,
 * by kind: its code (instructions with references normalized, callees by
 * position, globals by name), its read-only constants, and the strings it
 * reads. Imports are left out (they are reported by name and provider).
 * A function met twice in the call graph is reported once, at its first
 * depth. For explain.c: which part of a changed identity changed. */
int identity_parts(const char *path, uint64_t vaddr, uint8_t out[32],
		   identity_visit_fn *visit, void *ctx, char *why, size_t whylen);

/* The writable globals and TLS variables the hooked function and its callees
 * in the same object read, as "name, name" into buf (for the purity warning).
 * Returns how many (0 = none found), or -1 refused (REFUSE_NO_IDENTITY). */
int identity_globals_read(struct hook *h, char *buf, size_t len);

/* `globals = name` support: the run-time address and size of the global
 * variable `name` of the hooked function's object (from .symtab, then
 * .dynsym). 0, or -1 refused: REFUSE_NO_GLOBAL, REFUSE_THREAD_LOCAL or
 * REFUSE_UNREADABLE. */
int identity_global_addr(struct hook *h, const char *name, void **addr, size_t *size);

/* Where identity_compute keeps its per-build-id cache files ("" = none; the
 * cache folder's "identity/" subfolder is typical). Call before any compute. */
void identity_set_cache_dir(const char *dir);
/* That folder ("" = none): explain.c keeps its records beside. */
const char *identity_get_cache_dir(void);

#endif
