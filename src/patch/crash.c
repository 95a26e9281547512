/*
 * crash: the handler of faults in entry patches (crash.h). Installed by the
 * start-up before main when an entry patch was made, never as a side effect
 * of one.
 */
#include "patch/crash.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "patch/inline.h"
#include "base/log.h"
#include "base/sigframe.h"

static const int crash_sigs[] = { SIGSEGV, SIGILL, SIGBUS };
/* Written once before main, read by the handler. */
static struct crash_hold crash_keeper;

/* A fault at ip: if an entry patch's code holds it, say whose. */
static void crash_report(uintptr_t ip, const char *how, int sig)
{
	const char *part;
	unsigned long off;
	const struct hook *h = inline_code_at(ip, &part, &off);

	if (!h)
		return;
	log_error("'%s': %s %s its entry-patch %s at +%#lx (%s:%d): a relocated instruction "
		  "of its first bytes failed; 'mechanism = got' avoids entry patching",
		  h->fn ? h->fn->symbol : "?", strsignal(sig), how, part, off,
		  h->fn ? h->fn->file : "?", h->fn ? h->fn->line : 0);
}

/*
 * Deeper than the faulting instruction: a relocated call in a trampoline
 * (the function's first bytes called something, which crashed) leaves its
 * exact return address on the stack, so the stack is scanned for one. No
 * unwinder: libunwind would cost every memoizing process its loading (~0.1
 * ms) and walks through dl_iterate_phdr and allocations, unsafe in a handler
 * that runs for every SIGSEGV of the host. The stack is read through
 * process_vm_readv, which fails where a plain read would fault.
 */
#define CRASH_SCAN_BYTES (64 << 10)

static void crash_scan_stack(uintptr_t sp, int sig)
{
	uintptr_t words[256];
	pid_t self = getpid();

	sp &= ~(uintptr_t)7;
	for (size_t done = 0; done < CRASH_SCAN_BYTES; done += sizeof words) {
		struct iovec local = { words, sizeof words };
		struct iovec remote = { (void *)(sp + done), sizeof words };
		ssize_t n = process_vm_readv(self, &local, 1, &remote, 1, 0);

		for (ssize_t i = 0; i < n / (ssize_t)sizeof words[0]; i++)
			if (inline_call_returns_to(words[i]))
				crash_report(words[i] - 1, "in a frame below", sig);
		if (n < (ssize_t)sizeof words)
			return;
	}
}

/*
 * The program's own action goes back, exactly as it was (flags included),
 * and the handler returns: a fault raised by an instruction happens again
 * under it (a one-shot handler fires once, the default action dumps core);
 * a signal sent by kill or raise is sent again, with its siginfo.
 */
static void crash_handler(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t *uc = uctx;

	crash_report((uintptr_t)uc->uc_mcontext.gregs[REG_RIP], "in", sig);
	if (inline_calls_relocated())
		crash_scan_stack((uintptr_t)uc->uc_mcontext.gregs[REG_RSP], sig);
	crash_keeper.give_back(sig);
	if (si->si_code <= 0)
		syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig, si);
}

void crash_install(const struct crash_hold *keeper)
{
	struct sigaction sa;

	crash_keeper = *keeper;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = crash_handler;
	/* SA_NODEFER: a signal sent again from here is not held back */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;	/* sa_mask: empty (memset) */
	for (int i = 0; i < 3; i++)
		keeper->hold(crash_sigs[i], &sa);
	/* glibc gave the handler its restorer: sigframe.h learns it there */
	sigframe_init_from(crash_sigs[0], (void *)crash_handler);
}
