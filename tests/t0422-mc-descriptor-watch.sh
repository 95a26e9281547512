#!/usr/bin/env bash
# Owns: the memcached sockets' check skipped while nothing could have
# changed them (boot/fdwatch.c's interposers, base/fdwatch.h's epoch, and
# store/mc_io.c's look for raw system calls in the loaded code). A program
# puts one end of its own socket pair on every number from 5 to 1099
# (where libmemo's socket sits) after its first memoized call, calls again
# (a miss: a get and a set), and prints what the other end received. Four
# ways, each its own run, compared byte for byte with the run without
# libmemo (the other end receives nothing; libmemo connects again):
#  - libc: close() then dup2(), which the interposers see;
#  - syscall: the same through glibc's syscall();
#  - raw: `syscall` instructions in the program's own code, which no
#    interposer sees: the object holds them, so every request is checked;
#  - dlopen: the raw instructions in a library the program dlopens after
#    its first call (looked at after that dlopen).
# Both results must reach memcached (a second process runs no body).
source "$TOP/tests/lib.sh"
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 4096 ] || skip "the hard RLIMIT_NOFILE is below 4096"

cat >rawdup.c <<'C'
/* dup2 and close by `syscall` instructions: no libc function sees them */
long raw_dup2(long fd, long fd2)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "0"(33L), "D"(fd), "S"(fd2) : "rcx", "r11", "memory");
	return r;
}

long raw_close(long fd)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "0"(3L), "D"(fd) : "rcx", "r11", "memory");
	return r;
}
C
cat >takeover.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "runs.h"

#ifdef WITH_RAW
long raw_dup2(long fd, long fd2);
long raw_close(long fd);
#endif

__attribute__((noinline)) long square(long x)
{
	test_ran("square");
	return x * x;
}

int main(int argc, char **argv)
{
	long (*dup2_fn)(long, long) = NULL, (*close_fn)(long) = NULL;
	const char *how = argv[1];
	long r = square(argc + 40), got = 0, n;
	char buf[4096];
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp) < 0 || sp[0] != 3 || sp[1] != 4)
		return 2;
#ifdef WITH_RAW
	if (!strcmp(how, "raw"))
		dup2_fn = raw_dup2, close_fn = raw_close;
#endif
	if (!strcmp(how, "dlopen")) {
		void *lib = dlopen(argv[2], RTLD_NOW);

		if (!lib)
			return 3;
		dup2_fn = (long (*)(long, long))dlsym(lib, "raw_dup2");
		close_fn = (long (*)(long))dlsym(lib, "raw_close");
	}
	for (int fd = 5; fd < 1100; fd++) {
		if (!strcmp(how, "libc"))
			n = close(fd), n = dup2(sp[0], fd);
		else if (!strcmp(how, "syscall"))
			n = syscall(SYS_close, fd), n = syscall(SYS_dup2, sp[0], fd);
		else if (dup2_fn)
			n = close_fn(fd), n = dup2_fn(sp[0], fd);
		else
			return 4;
		if (n != fd)
			return 5;
	}
	r += square(argc + 41);
	while ((n = read(sp[1], buf, sizeof buf)) > 0)
		got += n;
	printf("%s: results %ld; the other end received %ld bytes (%s)\n", how, r, got,
	       n < 0 && errno == EAGAIN ? "nothing more waiting" : "closed?");
	return 0;
}
C
cc -O2 -fPIC -shared -o librawdup.so rawdup.c || fail "building librawdup.so"
cc -O2 -rdynamic -I"$TOP/tests/progs" -o takeover takeover.c -ldl || fail "building takeover"
cc -O2 -rdynamic -DWITH_RAW -I"$TOP/tests/progs" -o takeover-raw takeover.c rawdup.c -ldl ||
	fail "building takeover-raw"
# the test means something only if the plain program holds no raw syscall
insns=$(objdump -d --no-show-raw-insn takeover) || fail "objdump takeover"
! grep -qP '\tsyscall\s*$' <<<"$insns" || fail "takeover holds a syscall instruction"

start_memcached
conf_function square 'long square(long x)'
conf_cache dir=off servers="127.0.0.1:$MC_PORT" stats=off
export MEMO_CONFIG="$T/memo.d"

for how in libc syscall raw dlopen; do
	prog=./takeover
	[ $how = raw ] && prog=./takeover-raw
	(ulimit -n 4096 && MEMO_DISABLE=1 timeout 30 $prog $how "$T/librawdup.so") >$how-plain.out ||
		fail "$how: without libmemo ($?)"
	for run in first second; do
		reset_runs
		(ulimit -n 4096 && timeout 30 env LD_PRELOAD="$PRELOAD" $prog $how "$T/librawdup.so") \
			>$how-$run.out 2>$how-$run.err || { cat $how-$run.err; fail "$how, $run run ($?)"; }
		same $how-plain.out $how-$run.out "$how, $run run"
	done
	expect_eq "$(runs square)" 0 "$how: bodies run by the second process (both sets reached memcached)"
	note "$how: $(cat $how-first.out)"
	# new keys for the next way
	printf 'flush_all\r\nquit\r\n' | timeout 5 bash -c \
		"exec 3<>/dev/tcp/127.0.0.1/$MC_PORT; cat >&3; cat <&3" >/dev/null 2>&1 || true
done
exit 0
