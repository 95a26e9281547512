/*
 * strpool: strings that live as long as a config, such as the names of its
 * functions, of any length (a C++ name, demangled with its parameter list,
 * runs to thousands of characters).
 * Owns the pool's chunks; calls libc only. Config loading only (maps
 * memory); the strings are read-only afterwards, from any thread, and
 * never move: a struct memo_config copied by value (the engine's copy of
 * the preload's) points at the same chunks.
 *
 * Mapped, not malloc'ed, like config.c's function entries: a process that
 * reads a config and memoizes nothing never starts malloc.
 *
 *	struct strpool names = { 0 };
 *	const char *s = strpool_add(&names, "model::energy", 13);
 *	...
 *	strpool_release(&names);
 */
#ifndef MEMO_STRPOOL_H
#define MEMO_STRPOOL_H

#include <stddef.h>

struct strpool_chunk;

struct strpool {
	struct strpool_chunk *head;	/* the chunk written last: the list, newest first */
};

/* A copy of s[0..n) with a NUL after it (the caller may edit it before
 * it is shared), or NULL when out of memory. */
char *strpool_add(struct strpool *sp, const char *s, size_t n);

/* Unmaps every chunk; sp is then empty, ready for use again. */
void strpool_release(struct strpool *sp);

#endif
