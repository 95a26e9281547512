/*
 * sigview: the program's own actions for the signals the fault handler
 * holds (sigview.h), and the interposers that show them.
 */
#include "boot/sigview.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* glibc's own name for sigaction: reached without a lookup, and never
 * this file's sigaction. */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* The kernel's struct sigaction (rt_sigaction with an 8-byte mask). */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static const int held_sigs[3] = { SIGSEGV, SIGILL, SIGBUS };

/* kept[k] is written by sigview_hold before held[k] is set (release), and
 * never again; held[k] is cleared once, by whoever gives the action back. */
static struct ksigaction kept[3];
static int held[3];

static int slot(int sig)
{
	for (int k = 0; k < 3; k++)
		if (held_sigs[k] == sig)
			return k;
	return -1;
}

static bool is_held(int k)
{
	return k >= 0 && __atomic_load_n(&held[k], __ATOMIC_ACQUIRE);
}

int sigview_hold(int sig, const struct sigaction *act)
{
	int k = slot(sig);

	if (k < 0 || syscall(SYS_rt_sigaction, sig, NULL, &kept[k], sizeof kept[k].mask) < 0 ||
	    kept[k].handler == SIG_IGN || __sigaction(sig, act, NULL) < 0)
		return -1;
	__atomic_store_n(&held[k], 1, __ATOMIC_RELEASE);
	return 0;
}

/* The kernel's record itself goes back: flags and restorer as they were. */
void sigview_give_back(int sig)
{
	int k = slot(sig);

	if (k >= 0 && __atomic_exchange_n(&held[k], 0, __ATOMIC_ACQ_REL))
		syscall(SYS_rt_sigaction, sig, &kept[k], NULL, sizeof kept[k].mask);
}

/* What glibc's sigaction fills in from the kernel's record: the rest of
 * sa_mask is left as the caller had it. */
EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	int k = slot(sig);

	if (is_held(k) && !act) {
		if (old) {
			old->sa_handler = (__sighandler_t)kept[k].handler;
			memcpy(&old->sa_mask, &kept[k].mask, sizeof kept[k].mask);
			old->sa_flags = (int)kept[k].flags;
			old->sa_restorer = (void (*)(void))kept[k].restorer;
		}
		return 0;
	}
	if (act)
		sigview_give_back(sig);
	return __sigaction(sig, act, old);
}

/* glibc's definition of `name`, found once (its flavours of signal() keep
 * their own state, siginterrupt's, so they are not rewritten here). */
static void *glibc(const char *name, void **found)
{
	void *fn = __atomic_load_n(found, __ATOMIC_ACQUIRE);

	if (!fn) {
		fn = dlsym(RTLD_NEXT, name);
		__atomic_store_n(found, fn, __ATOMIC_RELEASE);
	}
	if (!fn)
		errno = ENOSYS;
	return fn;
}

/* Each setter of the signal() family gives a held signal back, then is
 * glibc's: what it returns is the program's own previous action. */
#define SETTER(ret, name, failed, params, args)                                  \
	EXPORT ret name params                                                   \
	{                                                                        \
		static void *found;                                              \
		ret(*fn) params = (ret(*) params)glibc(#name, &found);           \
		sigview_give_back(sig);                                          \
		return fn ? fn args : failed;                                    \
	}

SETTER(__sighandler_t, signal, SIG_ERR, (int sig, __sighandler_t h), (sig, h))
SETTER(__sighandler_t, bsd_signal, SIG_ERR, (int sig, __sighandler_t h), (sig, h))
SETTER(__sighandler_t, ssignal, SIG_ERR, (int sig, __sighandler_t h), (sig, h))
SETTER(__sighandler_t, sysv_signal, SIG_ERR, (int sig, __sighandler_t h), (sig, h))
SETTER(__sighandler_t, __sysv_signal, SIG_ERR, (int sig, __sighandler_t h), (sig, h))
SETTER(__sighandler_t, sigset, SIG_ERR, (int sig, __sighandler_t h), (sig, h))
SETTER(int, sigignore, -1, (int sig), (sig))
SETTER(int, siginterrupt, -1, (int sig, int flag), (sig, flag))
