/*
 * dlopen_thunk: the two entries patched dlopen and dlmopen GOT slots lead to
 * (dlopen_thunk.S), and what they call, which got.c fills in before any slot
 * leads to them. Included by assembly too: plain macros outside the C part.
 */
#ifndef MEMO_DLOPEN_THUNK_H
#define MEMO_DLOPEN_THUNK_H

/* struct dlopen_thunk_env, by offset */
#define ENV_GADGET		0
#define ENV_AFTER		8
#define ENV_REAL_DLOPEN		16
#define ENV_REAL_DLMOPEN	24
#define ENV_SIZE		32

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct dlopen_thunk_env {
	/* Before the real function: the address of a `ret` byte in the code of
	 * the object that holds ret_addr (the caller), or 0 (a plain tail call
	 * then, and no pass after). */
	uintptr_t (*gadget)(uintptr_t ret_addr);
	/* After the real function returned `handle`. */
	void (*after)(void *handle);
	void *real_dlopen, *real_dlmopen;
};

/* Written once, by got.c's first pass, before any slot leads to a thunk;
 * read by the thunks in any thread. */
extern struct dlopen_thunk_env dlopen_thunk_env;

extern char dlopen_thunk[], dlmopen_thunk[];

_Static_assert(offsetof(struct dlopen_thunk_env, gadget) == ENV_GADGET, "ENV_GADGET");
_Static_assert(offsetof(struct dlopen_thunk_env, after) == ENV_AFTER, "ENV_AFTER");
_Static_assert(offsetof(struct dlopen_thunk_env, real_dlopen) == ENV_REAL_DLOPEN, "ENV_REAL_DLOPEN");
_Static_assert(offsetof(struct dlopen_thunk_env, real_dlmopen) == ENV_REAL_DLMOPEN, "ENV_REAL_DLMOPEN");
_Static_assert(sizeof(struct dlopen_thunk_env) == ENV_SIZE, "ENV_SIZE");
#endif

#endif
