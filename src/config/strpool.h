/*
 * strpool: strings that live as long as a config, such as the names of its
 * functions, their versions, its paths and lists (and its prototypes'
 * arguments, strpool_alloc), of any length (a C++ name, demangled with its
 * parameter list, runs to thousands of characters).
 * Owns the pool's chunks; calls libc only. Config loading only (maps
 * memory); the strings are read-only afterwards, from any thread, and
 * never move: a struct memo_config copied by value (the engine's copy of
 * the preload's) points at the same chunks.
 *
 * In the caller's room (strpool_give_room) or mapped, not malloc'ed, like
 * config.c's function entries: a process that reads a config and memoizes
 * nothing never starts malloc.
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

/* The pool's first chunk is `room` (size bytes, aligned for any object, a
 * page or more), which the caller owns: a process that loads one small
 * config then maps nothing (libmemo.so's room is in its .lbss). Only on an
 * empty pool; strpool_release leaves the room as it is. */
void strpool_give_room(struct strpool *sp, void *room, size_t size);

/* A copy of s[0..n) with a NUL after it (the caller may edit it before
 * it is shared), or NULL when out of memory. */
char *strpool_add(struct strpool *sp, const char *s, size_t n);

/* n bytes aligned for any object (not cleared: the caller fills them),
 * or NULL when out of memory: a config's other records of any size that
 * live as long (a prototype's arguments, proto.h). */
void *strpool_alloc(struct strpool *sp, size_t n);

/* strpool_alloc's block p of `had` bytes keeps its first n only: the rest
 * is the pool's again (room reserved for the most, filled with fewer).
 * Only while it is the pool's newest block; else it keeps them all. */
void strpool_shrink(struct strpool *sp, void *p, size_t had, size_t n);

/* Unmaps every chunk (a room given stays); sp is then empty, ready for
 * use again. */
void strpool_release(struct strpool *sp);

#endif
