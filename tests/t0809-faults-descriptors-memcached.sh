#!/usr/bin/env bash
# Owns: the memcached store's sockets against a program that closes every
# descriptor and reuses the numbers (store/mc_io.c: each socket kept high in
# the range, recorded, and checked before each operation; a number that now
# names another file is never read, written or closed by libmemcached). The
# folder store's variant is t0806.
# The program (a real memcached behind it): after its first memoized call,
# close_range(3, ~0U, 0), then opens a log file and a results file, and puts
# the results file on every number up to 1099 (where libmemo's sockets sit);
# then calls again and writes to both files through their first numbers.
# Before, libmemcached's send on its old number failed (ENOTSOCK), it closed
# the program's file there and reconnected on that number: the program's
# results went to memcached. Now the files hold what they hold without
# libmemo, every number is still open, and both results reached memcached
# (the second run runs no body).
# And under `ulimit -n 16` (no number high enough to keep a socket out of
# the way), a program that opens /dev/null until it cannot after its first
# call opens as many as without libmemo: the connection lasts one request.
source "$TOP/tests/lib.sh"
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 4096 ] || skip "the hard RLIMIT_NOFILE is below 4096"

cat >reopen.c <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "runs.h"

__attribute__((noinline)) long square(long x)
{
	test_ran("square");
	return x * x;
}

int main(int argc, char **argv)
{
	long r = square(argc + 2);
	char path[4096];
	int log, out, open_fds = 0;

	if (close_range(3, ~0U, 0) < 0)
		return 2;
	snprintf(path, sizeof path, "%s/log", argv[1]);
	log = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	snprintf(path, sizeof path, "%s/results", argv[1]);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (log < 0 || out < 0)
		return 3;
	for (int fd = out + 1; fd < 1100; fd++)
		if (dup2(out, fd) != fd)
			return 4;
	dprintf(log, "first call done\n");
	dprintf(out, "first %ld\n", r);
	r = square(argc + 3);
	dprintf(log, "second call done\n");
	dprintf(out, "second %ld\n", r);
	for (int fd = 3; fd < 1100; fd++)
		open_fds += fcntl(fd, F_GETFD) >= 0;
	dprintf(out, "%d descriptors open\n", open_fds);
	return 0;
}
C
cat >count.c <<'C'
#include <fcntl.h>
#include <stdio.h>
#include "runs.h"

__attribute__((noinline)) long square(long x)
{
	test_ran("square");
	return x * x;
}

int main(int argc, char **argv)
{
	long r = square(argc + 2);
	int n = 0;

	(void)argv;
	while (open("/dev/null", O_RDONLY) >= 0)
		n++;
	printf("square %ld, then %d files\n", r, n);
	return 0;
}
C
cc -O2 -rdynamic -I"$TOP/tests/progs" -o reopen reopen.c || fail "building reopen"
cc -O2 -rdynamic -I"$TOP/tests/progs" -o count count.c || fail "building count"

start_memcached
conf_function square 'long square(long x)'
conf_cache dir=off servers="127.0.0.1:$MC_PORT" stats=stderr
export MEMO_CONFIG="$T/memo.d"

mkdir plain
(ulimit -n 4096 && MEMO_DISABLE=1 timeout 30 ./reopen plain) || fail "without libmemo ($?)"
reset_runs
for run in first second; do
	mkdir $run
	(ulimit -n 4096 && timeout 30 env LD_PRELOAD="$PRELOAD" ./reopen $run) 2>$run.err ||
		{ cat $run.err; fail "$run run under libmemo ($?)"; }
	same plain/log $run/log "$run run: the log file"
	same plain/results $run/results "$run run: the results file"
	grep -q 'stats for pid' $run.err || { cat $run.err; fail "$run run: no stats table"; }
	[ $run = second ] || reset_runs
done
expect_eq "$(runs square)" 0 "bodies run by the second process (both sets reached memcached)"

(ulimit -n 16 && MEMO_DISABLE=1 timeout 30 ./count) >count-plain.out || fail "count without libmemo"
note "count without libmemo: $(cat count-plain.out)"
for run in miss hit; do
	(ulimit -n 16 && timeout 30 env LD_PRELOAD="$PRELOAD" ./count) >count-$run.out 2>count-$run.err ||
		{ cat count-$run.err; fail "count, $run run under libmemo"; }
	same count-plain.out count-$run.out "count, $run run under ulimit -n 16"
done
exit 0
