#!/usr/bin/env bash
# Owns: the entry's l1 probe handed to the same call's full path
# (l1_hit.c's hand_over, call.c's entry_probe; scratch.h's entry_seq): the
# probe is written before the guard is taken, so a signal handler's
# memoized call may write over it, whole or halfway, before the
# interrupted call's full path reads it. A SIGALRM every 100 us calls f
# with arguments of its own, none twice, while main calls f on arguments
# of its own (a miss each in the first run, a memcached hit each in the
# second): a probe taken from the other call would put one call's result
# in l1 under the other's arguments. After each of its calls main asks f
# again on the handler's latest argument, and at the end on every argument
# either side used (an l1 hit each where it is still there), and counts
# the results that differ from an unhooked copy of the body: none, in
# every run, as without libmemo. Then l1 still learns from the
# handed probes: 1,000 calls each made twice ask memcached as often as
# 1,000 calls made once.
source "$TOP/tests/lib.sh"
command -v memcached >/dev/null || skip "no memcached"
command -v python3 >/dev/null || skip "no python3"

cat >prog.c <<'C'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#define BODY { long s = x; for (int i = 0; i < 20; i++) s = s * 31 + i; return s; }
__attribute__((noinline)) long f(long x) BODY
__attribute__((noinline)) long plain(long x) BODY	/* the same, never hooked */

#define MAIN_CALLS 20000
#define HANDLER_MAX 20000
static volatile sig_atomic_t handled;
static long handler_arg[HANDLER_MAX], handler_got[HANDLER_MAX];
static long base;

static void on_alarm(int sig)
{
	(void)sig;
	if (handled < HANDLER_MAX) {
		long a = base + 1000000 + handled;

		handler_arg[handled] = a;
		handler_got[handled] = f(a);
		handled++;
	}
}

/* prog BASE: the run described above; prog BASE once|twice: f on 1,000
 * arguments, each once or twice */
int main(int argc, char **argv)
{
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, stop = { { 0, 0 }, { 0, 0 } };
	static long got[MAIN_CALLS];
	long wrong_main = 0, wrong_handler = 0, wrong_again = 0;

	base = atol(argv[1]) * 10000000;
	if (argc > 2) {
		for (int k = argv[2][0] == 't' ? 2 : 1; k > 0; k--)
			for (long i = 0; i < 1000; i++)
				wrong_main += f(base + i) != plain(base + i);
		printf("%s: wrong %ld\n", argv[2], wrong_main);
		return 0;
	}
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &every, NULL);
	for (long i = 0; i < MAIN_CALLS; i++) {
		long k = handled - 1;

		got[i] = f(base + i);
		/* the handler's latest call, asked again at once: l1 has 4,096
		 * slots, and later calls would soon replace what it holds */
		if (k >= 0)
			wrong_again += f(handler_arg[k]) != plain(handler_arg[k]);
	}
	setitimer(ITIMER_REAL, &stop, NULL);
	for (long i = 0; i < MAIN_CALLS; i++) {
		wrong_main += got[i] != plain(base + i);
		wrong_again += f(base + i) != plain(base + i);
	}
	for (long k = 0; k < handled; k++) {
		wrong_handler += handler_got[k] != plain(handler_arg[k]);
		wrong_again += f(handler_arg[k]) != plain(handler_arg[k]);
	}
	printf("wrong: main %ld, handler %ld, asked again %ld\n", wrong_main, wrong_handler,
	       wrong_again);
	return 0;
}
C
cc -O2 -o prog prog.c || fail "building the program"
start_memcached
conf_function f "long f(long x)" mechanism=inline
conf_cache servers="127.0.0.1:$MC_PORT" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_LOG=info under_memo ./prog 0 >/dev/null 2>info.err || { cat info.err; fail "first run"; }
grep -q "'f' memoized (" info.err || { cat info.err; fail "f is not entry-patched"; }
for run in $(seq 1 3); do
	for pass in fill hit; do
		MEMO_DISABLE=1 timeout 60 ./prog $run >plain.out || fail "plain run $run"
		timeout 60 env LD_PRELOAD="$PRELOAD" ./prog $run >run.out 2>run.err
		rc=$?
		[ $rc = 0 ] || { cat run.err; fail "run $run ($pass): exit status $rc"; }
		same plain.out run.out "run $run ($pass)"
		said run.err && { cat run.err; fail "run $run ($pass) said something"; }
	done
done
[ "$(stat_sum stats.jsonl f hits)" -gt 0 ] || fail "f was never served from the cache"

# memcached's count of gets, asked over its text protocol
gets() {
	python3 - "$MC_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"stats\r\n")
buf = b""
while not buf.endswith(b"END\r\n"):
    buf += s.recv(65536)
print([l.split()[2] for l in buf.decode().splitlines() if l.startswith("STAT cmd_get ")][0])
PY
}
for how in 8:once 9:twice; do
	run=${how%:*} how=${how#*:}
	before=$(gets)
	out=$(under_memo ./prog $run $how) || fail "the run of calls made $how"
	expect_eq "$out" "$how: wrong 0" "the calls made $how"
	eval "asked_$how=\$((\$(gets) - before))"
done
[ "$asked_once" -ge 1000 ] || fail "1,000 calls made once asked memcached $asked_once times"
expect_eq "$asked_twice" "$asked_once" "memcached's gets for 1,000 calls made twice, against once"
exit 0
