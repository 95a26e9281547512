/*
 * sigview: what the program sees of its own actions for SIGSEGV, SIGILL and
 * SIGBUS while the engine's fault handler (src/patch/crash.c) stands in for
 * them. Part of libmemo.so, which defines sigaction, signal and their kin so
 * that every object's calls come here first (the preload interposes them):
 *   - a query of a held signal answers with the program's own action,
 *     exactly as the kernel kept it;
 *   - any change to a held signal first gives the program's action back
 *     (libmemo's handler is gone for it from then on), then goes to glibc;
 *   - every other signal goes straight to glibc.
 * Calls libc (and libdl, once per function, to find glibc's). The engine
 * holds a signal before main (sigview_hold); the fault handler gives it
 * back (sigview_give_back, async-signal-safe) when a fault is not
 * libmemo's, so the faulting instruction runs again under the program's
 * own action.
 */
#ifndef MEMO_SIGVIEW_H
#define MEMO_SIGVIEW_H

#include <signal.h>

/* Set `act` for sig (SIGSEGV, SIGILL or SIGBUS), keeping the program's
 * action to show and give back. 0, or -1: not held (another signal, an
 * error, or an ignored signal, which stays as it is: ignored actions
 * survive exec, handlers do not). Before main. */
int sigview_hold(int sig, const struct sigaction *act);

/* Put the program's action for sig back, exactly, if sig is held. Any
 * thread, async-signal-safe. */
void sigview_give_back(int sig);

#endif
