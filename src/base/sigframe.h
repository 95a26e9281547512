/*
 * sigframe: whether the calling thread runs inside a signal handler, found
 * without wrapping any handler of the program. The kernel enters a handler
 * with, as its return address, the restorer glibc gave it (__restore_rt),
 * followed by the signal frame: the stack above the caller is scanned for
 * that word where a frame can start, and the frame found there is checked.
 * Calls libc (raw rt_sigaction, process_vm_readv) only. sigframe_init (or
 * sigframe_init_from) runs
 * at start-up, before main; sigframe_in_handler runs in any thread, is
 * async-signal-safe and allocates nothing, but reads the whole used stack:
 * never on the hot path, only before work that may use the heap (a hook's
 * first call).
 */
#ifndef MEMO_SIGFRAME_H
#define MEMO_SIGFRAME_H

#include <stdbool.h>

/* Learn glibc's restorer. Before main, single-threaded: a signal left at
 * its default action gets a default action set through glibc, read back,
 * then its kernel record put back exactly (it never has a handler). */
void sigframe_init(void);
/* The same from sig's action, when the caller has just set `handler` there
 * through glibc (crash.c's): one system call, where sigframe_init makes
 * four. Else as sigframe_init. */
void sigframe_init_from(int sig, void *handler);

/* True when a live signal frame lies above the caller on this stack (a
 * stale frame left in unused slots can answer true: the caller then only
 * takes the safe way; a frame never answers false). False where the
 * restorer is unknown. */
bool sigframe_in_handler(void);

#endif
