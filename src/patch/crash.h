/*
 * crash: a process-wide handler for SIGSEGV, SIGILL and SIGBUS that names the
 * function when a fault comes from an entry patch's stub or trampoline (a
 * relocated instruction of its first bytes failed), or from below a
 * relocated call of one, then hands the signal on as if it were not there.
 * Calls inline (which code is whose), log. Installed from start-up, under
 * runtime_lock or before any thread; the handler runs in any thread, reads
 * only what inline publishes lock-free, and takes no lock of libmemo's. Its
 * report (log_error, strsignal) is not async-signal-safe: it is made only
 * when the fault is in a patch's code, a crash already under way.
 */
#ifndef MEMO_CRASH_H
#define MEMO_CRASH_H

/* Install the handler, keeping the previous ones to chain to. Idempotent:
 * the start-up calls it after each successful entry patch, so a process
 * that patches nothing keeps its handlers untouched. */
void crash_install(void);

#endif
