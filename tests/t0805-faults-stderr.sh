#!/usr/bin/env bash
# Owns: where libmemo's text goes (base/log.c log_stderr_fd, used by its
# messages and by base/stats.c's table): the stderr the process started with,
# or nowhere. boot/engine.c keeps a high close-on-exec duplicate of fd 2
# (base/util.c util_fd_high) and its st_dev/st_ino; under a soft
# RLIMIT_NOFILE below 256 it keeps none, and fd 2 is written only while it is
# still that file.
# Seen with a daemon that calls a memoized function, closes fds 0-2, opens
# three data files (the third takes fd 2), calls again and exits with them
# open: its data files hold exactly what they hold without libmemo, with the
# stats table and debug messages on; under `ulimit -n 1024` the table
# reaches the test's stderr file through the kept duplicate; under
# `ulimit -n 64` it goes nowhere. The memcached backend, an object with its
# own copy of log.c, is handed the engine's voice and speaks the same way.
source "$TOP/tests/lib.sh"
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 1024 ] || skip "the hard RLIMIT_NOFILE is below 1024"

cat >daemon.c <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "runs.h"

__attribute__((noinline)) long square(long x)
{
	test_ran("square");
	return x * x;
}

int main(int argc, char **argv)
{
	char path[4096];
	int fd[3];
	long r = square(argc + 2);

	close(0);
	close(1);
	close(2);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/data%d", argv[1], i);
		fd[i] = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd[i] < 0)
			return 1;
		dprintf(fd[i], "data %d on fd %d: %ld\n", i, fd[i], r);
	}
	if (getenv("DAEMON_NAP_MS")) {	/* let a cache that failed be asked again */
		struct timespec ts = { 0, atol(getenv("DAEMON_NAP_MS")) * 1000000L };
		nanosleep(&ts, NULL);
	}
	r = square(argc + 3);
	for (int i = 0; i < 3; i++)
		dprintf(fd[i], "again %ld\n", r);
	return 0;	/* the data files are still open at exit */
}
C
cc -O2 -rdynamic -I"$TOP/tests/progs" -o daemon daemon.c || fail "building the program"

conf_function square 'long square(long x)'
conf_cache dir="$T/cache" stats=stderr
export MEMO_CONFIG="$T/memo.d"

mkdir plain
MEMO_DISABLE=1 timeout 30 ./daemon plain 2>plain.err || fail "the run without libmemo"

# run NAME [LIMIT]: the daemon under libmemo (MEMO_LOG=debug: every message
# libmemo has), its data in NAME/, its stderr in NAME.err.
run() {
	mkdir "$1"
	(
		ulimit -n "${2:-1024}"
		MEMO_LOG=debug timeout 30 env LD_PRELOAD="$PRELOAD" ./daemon "$1"
	) 2>"$1.err" || { cat "$1.err"; fail "$1: the run under libmemo failed"; }
	for i in 0 1 2; do
		same "plain/data$i" "$1/data$i" "$1: data file $i"
	done
}

note "a first run, a second run (hits)"
run first
grep -q 'stats for pid' first.err || { cat first.err; fail "first: the stats table did not reach the stderr the process started with"; }
run second
grep -q 'stats for pid' second.err || { cat second.err; fail "second: no stats table on the original stderr"; }

note "memcached alone, a server that refuses, asked again after the daemon's fds changed: the memcached backend (an object with its own copy of log.c) speaks where the engine does"
conf_cache dir='""' servers=127.0.0.1:1 stats=stderr
DAEMON_NAP_MS=400 run mc
grep -q "'127.0.0.1:1': memcached error" mc.err || { cat mc.err; fail "mc: the backend's messages did not reach the original stderr"; }
conf_cache dir="$T/cache" stats=stderr

note "under ulimit -n 64: nothing kept, the table goes nowhere"
run low 64
if grep -q 'stats for pid' low.err; then cat low.err; fail "low: the stats table was written after fd 2 changed"; fi
exit 0
