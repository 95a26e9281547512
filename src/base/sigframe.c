/*
 * sigframe: is this thread inside a signal handler (sigframe.h)?
 *
 * On x86-64 the kernel builds, below the interrupted stack pointer, the
 * frame `struct rt_sigframe { char *pretcode; struct ucontext uc; siginfo_t
 * info; }` followed by the saved vector state, and enters the handler with
 * the stack pointer on pretcode: the restorer (SA_RESTORER) is the handler's
 * return address. glibc gives every action it sets the same restorer.
 */
#include "base/sigframe.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* The kernel's struct sigaction (rt_sigaction with an 8-byte mask). */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* Where the kernel's frame keeps what is checked (glibc's ucontext_t
 * matches the kernel's up to uc_sigmask, which the kernel keeps in 8 bytes;
 * siginfo, filled in only for SA_SIGINFO, follows). */
#define FRAME_FLAGS (8 + offsetof(ucontext_t, uc_flags))
#define FRAME_LINK (8 + offsetof(ucontext_t, uc_link))
#define FRAME_FPSTATE (8 + offsetof(ucontext_t, uc_mcontext.fpregs))
#define FRAME_SIZE (8 + offsetof(ucontext_t, uc_sigmask) + 8 + sizeof(siginfo_t))
/* What is read of a candidate: up to the vector state's address. */
#define FRAME_READ (FRAME_FPSTATE + sizeof(uintptr_t))
/* The uc_flags the kernel sets: UC_FP_XSTATE, UC_SIGCONTEXT_SS,
 * UC_STRICT_RESTORE_SS. */
#define FRAME_UC_FLAGS 0x7ul

/* glibc's own name for sigaction (libmemo.so defines sigaction: boot/sigview.c) */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* Written once by sigframe_init, before main; read by any thread after. */
static uintptr_t restorer;

static int ksig_get(int sig, struct ksigaction *k)
{
	return (int)syscall(SYS_rt_sigaction, sig, NULL, k, sizeof k->mask);
}

void sigframe_init_from(int sig, void *handler)
{
	struct ksigaction k;

	if (ksig_get(sig, &k) == 0 && k.handler == handler && (k.flags & SA_RESTORER))
		restorer = (uintptr_t)k.restorer;
	else
		sigframe_init();
}

void sigframe_init(void)
{
	struct ksigaction k, was;

	/* glibc fills in its restorer for any action it sets, even a default
	 * one: one is set on a signal left at its default, read back, and the
	 * kernel's record put back as it was. */
	for (int sig = SIGHUP; sig < SIGSYS && !restorer; sig++) {
		struct sigaction dfl;

		if (sig == SIGKILL || sig == SIGSTOP || ksig_get(sig, &was) < 0 ||
		    was.handler != SIG_DFL)
			continue;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		if (__sigaction(sig, &dfl, NULL) == 0 && ksig_get(sig, &k) == 0)
			restorer = (uintptr_t)k.restorer;
		syscall(SYS_rt_sigaction, sig, &was, NULL, sizeof was.mask);
	}
}

/* Is the restorer word at `at` the start of a signal frame? The kernel
 * aligns a frame to 16 bytes less 8, puts the vector state right above it
 * (64-byte aligned), links no other context and sets only its own flags. */
static bool frame_at(pid_t self, uintptr_t at)
{
	unsigned char frame[FRAME_READ];
	struct iovec local = { frame, sizeof frame }, remote = { (void *)at, sizeof frame };
	uintptr_t fpstate, link;
	unsigned long flags;

	if (at % 16 != 8 || process_vm_readv(self, &local, 1, &remote, 1, 0) != (ssize_t)sizeof frame)
		return false;
	memcpy(&fpstate, frame + FRAME_FPSTATE, sizeof fpstate);
	memcpy(&link, frame + FRAME_LINK, sizeof link);
	memcpy(&flags, frame + FRAME_FLAGS, sizeof flags);
	return link == 0 && (flags & ~FRAME_UC_FLAGS) == 0 && fpstate % 64 == 0 &&
	       fpstate >= at + FRAME_SIZE && fpstate < at + FRAME_SIZE + 128;
}

/* How far above the caller a handler's frame is looked for: a handler's own
 * depth when it calls a hooked function, with a wide margin. The scan stops
 * earlier where the mapping ends, or at the thread's control block: glibc
 * puts it right above a thread's stack (the main thread's is elsewhere, and
 * its stack's mapping ends the scan), and the memory past it is no stack. */
#define SCAN_BYTES ((uintptr_t)8 << 20)

/* Words read at a time: little of the stack it runs on, which may be an
 * 8 KiB sigaltstack. */
#define SCAN_WORDS 64

bool sigframe_in_handler(void)
{
	uintptr_t words[SCAN_WORDS], tcb;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0) & ~(uintptr_t)7;
	uintptr_t end = sp + SCAN_BYTES;
	pid_t self = getpid();

	if (!restorer)
		return false;
	__asm__("mov %%fs:0, %0" : "=r"(tcb));
	if (tcb > sp && tcb < end)
		end = tcb;
	/* process_vm_readv, not loads: it fails where a load would fault */
	for (uintptr_t at = sp; at < end; at += sizeof words) {
		size_t want = end - at < sizeof words ? end - at : sizeof words;
		struct iovec local = { words, want };
		struct iovec remote = { (void *)at, want };
		ssize_t n = process_vm_readv(self, &local, 1, &remote, 1, 0);

		for (ssize_t i = 0; i < n / (ssize_t)sizeof words[0]; i++)
			if (words[i] == restorer && frame_at(self, at + i * sizeof words[0]))
				return true;
		if (n < (ssize_t)want)
			return false;
	}
	return false;
}
