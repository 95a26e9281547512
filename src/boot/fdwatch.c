/*
 * fdwatch: libmemo.so's interposers of the calls that close or replace a
 * descriptor number (base/fdwatch.h). The preload defines them, so every
 * object's call comes here first; each notes a call that may reach a kept
 * number, then makes the call exactly as glibc would. What they cannot
 * see: a raw `syscall` instruction (store/mc_io.c looks for objects that
 * hold one, and then checks every request), glibc's calls inside itself
 * (on numbers the program gave it: never one libmemo keeps), and io_uring.
 * Calls libc only: no lock, no allocation, async-signal-safe (but the one
 * dlsym closefrom makes for glibc's, as glibc's closefrom is not either).
 */
#include "base/fdwatch.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Reached by its own name, PC-relative: an interposer may run before this
 * object is relocated (below), when no GOT entry of it holds an address. */
static struct fdwatch watch = { .epoch = 0, .floor = INT_MAX };
extern struct fdwatch memo_fdwatch __attribute__((alias("watch"), visibility("default")));

/*
 * Another object's IFUNC resolver may call these while the loader relocates
 * objects, before it relocates this one (tests/progs/identity/variant.h
 * calls syscall() there): then glibc's functions and errno cannot be
 * reached yet (their addresses are GOT entries still unrelocated), so the
 * call is made by the `syscall` instruction, and a failure leaves errno as
 * it was. self holds its own address once the loader has relocated it.
 */
static void *volatile self = (void *)&self;

static bool relocated(void)
{
	return self == (void *)&self;
}

/* glibc's own names: reached without a lookup, and never this file's. */
extern int __close(int fd);
extern int __dup2(int fd, int fd2);

/* Numbers up to hi (unsigned, as close_range takes them) may change: the
 * bump comes first, so a request that starts after the change sees it. */
static void note(unsigned long hi)
{
	int floor = __atomic_load_n(&watch.floor, __ATOMIC_SEQ_CST);

	if (floor != INT_MAX && hi >= (unsigned long)floor)
		fdwatch_bump(&watch);
}

static long raw6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "0"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/* A raw result as glibc returns it: -1 and errno for an error. */
static long ret(long r)
{
	if ((unsigned long)r > -4096UL) {
		if (relocated())
			errno = (int)-r;
		return -1;
	}
	return r;
}

EXPORT int close(int fd)
{
	if (fd >= 0)
		note((unsigned)fd);
	return relocated() ? __close(fd) : (int)ret(raw6(SYS_close, fd, 0, 0, 0, 0, 0));
}

EXPORT int dup2(int fd, int fd2)
{
	if (fd2 >= 0)
		note((unsigned)fd2);
	return relocated() ? __dup2(fd, fd2) : (int)ret(raw6(SYS_dup2, fd, fd2, 0, 0, 0, 0));
}

EXPORT int dup3(int fd, int fd2, int flags)
{
	if (fd2 >= 0)
		note((unsigned)fd2);
	return (int)ret(raw6(SYS_dup3, fd, fd2, flags, 0, 0, 0));
}

EXPORT int close_range(unsigned lo, unsigned hi, int flags)
{
	if (!(flags & CLOSE_RANGE_CLOEXEC))	/* marking close-on-exec changes no number */
		note(hi);
	return (int)ret(raw6(SYS_close_range, lo, hi, flags, 0, 0, 0));
}

/* glibc's closefrom: close_range, else each number /proc/self/fd lists. */
EXPORT void closefrom(int lo)
{
	static void (*real)(int);
	void (*fn)(int) = __atomic_load_n(&real, __ATOMIC_ACQUIRE);

	note(UINT_MAX);
	if (!relocated()) {	/* what glibc's does first */
		raw6(SYS_close_range, lo, ~0U, 0, 0, 0, 0);
		return;
	}
	if (!fn) {
		fn = (void (*)(int))dlsym(RTLD_NEXT, "closefrom");
		__atomic_store_n(&real, fn, __ATOMIC_RELEASE);
	}
	if (fn)
		fn(lo);
}

/* glibc's syscall(): the same six arguments read whatever the caller
 * passed (x86-64 keeps them all in registers), the same errno. */
EXPORT long syscall(long n, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (n == SYS_close)
		note((unsigned)a[0]);
	else if (n == SYS_dup2 || n == SYS_dup3)
		note((unsigned)a[1]);
	else if (n == SYS_close_range && !((unsigned)a[2] & CLOSE_RANGE_CLOEXEC))
		note((unsigned)a[1]);
	return ret(raw6(n, a[0], a[1], a[2], a[3], a[4], a[5]));
}
