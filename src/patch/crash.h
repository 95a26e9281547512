/*
 * crash: a process-wide handler for SIGSEGV, SIGILL and SIGBUS that names the
 * function when a fault comes from an entry patch's stub or trampoline (a
 * relocated instruction of its first bytes failed), or from below a
 * relocated call of one, then puts the program's own action back and lets
 * the fault happen again under it, as if libmemo were not there: a one-shot
 * handler fires once, a default action dumps core. The program never sees
 * the handler: the preload holds the program's actions and shows them
 * (struct crash_hold, src/boot/sigview.c).
 * Calls inline (which code is whose), log. Installed by the start-up, before
 * main, and never after; the handler runs in any thread, reads only what
 * inline publishes lock-free, and takes no lock of libmemo's. Its report
 * (log_error, strsignal) is not async-signal-safe: it is made only when the
 * fault is in a patch's code, a crash already under way.
 */
#ifndef MEMO_CRASH_H
#define MEMO_CRASH_H

#include <signal.h>

/* Who keeps the program's own actions while the handler stands in for
 * them (the preload's sigview.h). */
struct crash_hold {
	/* Set act for sig, keeping the program's action; 0, or -1 (not held). */
	int (*hold)(int sig, const struct sigaction *act);
	/* Put the program's action back exactly; async-signal-safe. */
	void (*give_back)(int sig);
};

/* Install the handler for the signals `keeper` holds. Once, before main,
 * when an entry patch was made: a process that patches nothing keeps its
 * handlers untouched. Also learns glibc's signal restorer (sigframe.h). */
void crash_install(const struct crash_hold *keeper);

#endif
