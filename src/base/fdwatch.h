/*
 * fdwatch: what the program did to the descriptor numbers libmemo keeps
 * between calls (the memcached sockets, high in the range), as libmemo.so's
 * interposers of close, dup2, dup3, close_range, closefrom and syscall()
 * saw it (src/boot/fdwatch.c), so that store/mc_io.c need not fstat each
 * socket before each request. Defined once, in libmemo.so, and found by
 * name from the other objects (each links its own copy of base/): without
 * libmemo.so (the memo command, the unit drivers) there is none, and every
 * request is checked. Safe in any thread, after fork, in a signal handler.
 */
#ifndef MEMO_FDWATCH_H
#define MEMO_FDWATCH_H

#include <dlfcn.h>
#include <stdint.h>

#define FDWATCH_SYMBOL "memo_fdwatch"

struct fdwatch {
	/* Bumped (before the call is made) by every call that may close or
	 * replace a number >= floor, and by every dlopen got.c sees (code that
	 * was never looked at for raw system calls). Read by mc_io_begin. */
	uint64_t epoch;
	/* The lowest number a kept socket has had; INT_MAX (nothing kept yet):
	 * no call bumps. Lowered by mc_io, never raised. */
	int floor;
} __attribute__((aligned(64)));	/* off the lines of whatever is written often */

/* libmemo.so's, or NULL. */
static inline struct fdwatch *fdwatch_find(void)
{
	return (struct fdwatch *)dlsym(RTLD_DEFAULT, FDWATCH_SYMBOL);
}

/* A change to the descriptor table, or new code: every socket is checked
 * again before its next request. */
static inline void fdwatch_bump(struct fdwatch *w)
{
	__atomic_fetch_add(&w->epoch, 1, __ATOMIC_SEQ_CST);
}

#endif
