#!/usr/bin/env bash
# Owns: the program's own SIGSEGV, SIGILL and SIGBUS actions while libmemo's
# fault handler stands in for them (src/patch/crash.c, src/boot/sigview.c),
# and that the handler is installed before main or never (src/boot/engine.c).
# Each case runs under a small runner that reports how the program ended
# (exit status, or signal and the core-dump flag, with RLIMIT_CORE raised
# as far as it goes); runner output, stdout and the program's own lines are
# those of the run without libmemo:
#   dl       a one-shot (SA_RESETHAND) SIGSEGV reporter, then a dlopen of
#            the memoized function's library, then a NULL write: one line
#            and a core dump. It used to loop, the reporter called forever
#            (the reporter here gives up after 3 calls to bound the test).
#   main     the memoized function in the program (the handler stands in
#            from before main): sigaction and signal show the program's
#            own actions, before and after it sets them; the same NULL write.
#            sigaction used to show libmemo's handler.
#   default  no handler of the program's: a NULL write dumps core.
#   kill     SIGSEGV sent with kill: the default action, as without libmemo
#            (libmemo's handler sends it again once the action is back).
#   ignored  SIGBUS ignored by the program before libmemo (inherited): the
#            program sees it ignored, and so does a program it execs.
source "$TOP/tests/lib.sh"

cat >runner.c <<'C'
/* runner PROG ARGS...: run PROG with the largest core limit allowed and say
 * how it ended. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rlimit core;
	int status;
	pid_t pid;

	(void)argc;
	getrlimit(RLIMIT_CORE, &core);
	core.rlim_cur = core.rlim_max;
	setrlimit(RLIMIT_CORE, &core);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execv(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	if (WIFSIGNALED(status))
		printf("killed by signal %d, core dumped: %s\n", WTERMSIG(status),
		       WCOREDUMP(status) ? "yes" : "no");
	else
		printf("exit status %d\n", WEXITSTATUS(status));
	return 0;
}
C

cat >plug.c <<'C'
__attribute__((noinline)) long plug_f(long x)
{
	long s = x;
	for (int i = 0; i < 50; i++)
		s = s * 31 + i;
	return s;
}
C

cat >prog.c <<'C'
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) long main_f(long x)
{
	long s = x;
	for (int i = 0; i < 50; i++)
		s = s * 29 + i;
	return s;
}

static int reported;

/* one line, then return: SA_RESETHAND lets the fault end the program */
static void reporter(int sig)
{
	static const char line[] = "reporter: a fault\n";

	(void)sig;
	if (++reported > 3)	/* only when the one-shot handler is not one-shot */
		_exit(3);
	write(1, line, sizeof line - 1);
}

static void show(int sig, const char *when)
{
	struct sigaction sa;

	sigaction(sig, NULL, &sa);
	printf("%s: signal %d: %s, flags %#x, mask %s\n", when, sig,
	       sa.sa_handler == SIG_DFL ? "default" : sa.sa_handler == SIG_IGN ? "ignored" :
	       sa.sa_handler == reporter ? "the reporter" : "someone else's",
	       sa.sa_flags, sigismember(&sa.sa_mask, SIGUSR1) ? "USR1" : "empty");
	fflush(stdout);
}

static void set_reporter(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = reporter;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR1);
	sigaction(SIGSEGV, &sa, NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argv[1];
	volatile int *null = NULL;

	show(SIGSEGV, "at start");
	show(SIGBUS, "at start");
	show(SIGILL, "at start");
	if (!strcmp(mode, "show"))
		return 0;
	if (!strcmp(mode, "dl")) {
		void *lib;
		long (*f)(long);

		set_reporter();
		if (!(lib = dlopen(argv[2], RTLD_NOW)) || !(f = (long (*)(long))dlsym(lib, "plug_f")))
			return 2;
		printf("plug_f: %ld %ld\n", f(3), f(3));
	} else {
		printf("main_f: %ld %ld\n", main_f(3), main_f(3));
	}
	if (!strcmp(mode, "main")) {
		printf("signal(SIGILL) was %s\n", signal(SIGILL, reporter) == SIG_DFL ? "default" : "not default");
		printf("signal(SIGILL) was %s\n", signal(SIGILL, SIG_DFL) == reporter ? "the reporter" : "not the reporter");
		set_reporter();
	}
	show(SIGSEGV, "before the fault");
	if (!strcmp(mode, "kill")) {
		kill(getpid(), SIGSEGV);
		printf("after the kill\n");	/* only if the signal was lost */
		return 0;
	}
	if (!strcmp(mode, "ignored")) {	/* the program it execs shows its own */
		execl(argv[0], argv[0], "show", (char *)NULL);
		return 2;
	}
	*null = 1;
	printf("after the fault\n");
	return 0;
}
C
cc -O2 -o runner runner.c || fail "building the runner"
cc -O2 -shared -fPIC -o libplug.so plug.c || fail "building the plugin"
cc -O2 -o prog prog.c -ldl || fail "building the program"
# two configs: plug_f alone (a function missing at start-up is named when
# another is found), and main_f
conf_function plug_f 'long plug_f(long x)' mechanism=inline
conf_cache dir="$T/cache" stats=off
mv memo.d memo.dl
conf_function main_f 'long main_f(long x)' mechanism=inline
conf_cache dir="$T/cache" stats=off
export MEMO_CONFIG="$T/memo.d"

MEMO_LOG=info under_memo ./prog default >/dev/null 2>info.err
grep -q "'main_f' memoized (" info.err || { cat info.err; fail "main_f is not entry-patched"; }
MEMO_CONFIG="$T/memo.dl" MEMO_LOG=info under_memo ./prog dl "$T/libplug.so" >/dev/null 2>info.err
grep -q "'plug_f' memoized (" info.err || { cat info.err; fail "plug_f is not entry-patched"; }

# case MODE [PREFIX...]: the run under libmemo ends as the plain one
case_() {
	local mode=$1
	shift
	MEMO_DISABLE=1 "$@" ./runner ./prog "$mode" "$T/libplug.so" >plain.out 2>plain.err ||
		fail "$mode: plain run"
	"$@" timeout 60 env LD_PRELOAD="$PRELOAD" ./runner ./prog "$mode" "$T/libplug.so" \
		>memo.out 2>memo.err || { cat memo.err; fail "$mode: run under libmemo"; }
	same plain.out memo.out "$mode"
	same plain.err memo.err "$mode: stderr"
	note "$mode: $(tail -1 memo.out)"
}
[ "${SAN:-0}" = 1 ] && skip "the sanitizers' runtime handles SIGSEGV itself"
MEMO_CONFIG="$T/memo.dl" case_ dl
case_ main
case_ default
case_ kill
# bash cannot start a program with a signal ignored that it did not ignore
# itself, but it passes on one it inherited: perl starts the shell so
command -v perl >/dev/null || skip "no perl to start a program with SIGBUS ignored"
case_ ignored perl -e '$SIG{BUS} = "IGNORE"; exec @ARGV'
exit 0
