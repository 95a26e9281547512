#!/usr/bin/env bash
# Owns: the descriptors libmemo keeps between calls. find/elf.c closes an ELF
# file once libelf has it whole; store/store_folder.c keeps the cache folder
# high in the range (util_fd_high), or nothing under a soft RLIMIT_NOFILE
# below 256, and checks before each use that the number is still that folder
# (root_get: st_dev, st_ino), else opens it again by its path.
# Seen with two programs, each compared byte for byte with its run without
# libmemo:
#  - count: after its first memoized call, opens /dev/null until it cannot,
#    under `ulimit -n 16`, and prints how many it could;
#  - reuse: after its first call, closes every descriptor from 3 up
#    (close_range), fills the numbers up to 1099 with its own folder mine/
#    (dup2), opens a results file in it, and calls again (a miss: a set).
#    mine/ must hold only the results file, the results what they are without
#    libmemo, and the set must have reached the cache (a later run hits).
source "$TOP/tests/lib.sh"
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 4096 ] || skip "the hard RLIMIT_NOFILE is below 4096"

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
cat >reuse.c <<'C'
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
	int mine, out;

	if (close_range(3, ~0U, 0) < 0)
		return 2;
	mine = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mine < 0)
		return 3;
	for (int fd = mine + 1; fd < 1100; fd++)
		if (dup2(mine, fd) != fd)
			return 4;
	out = openat(mine, "results", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		return 5;
	dprintf(out, "first %ld\n", r);
	r = square(argc + 3);
	dprintf(out, "second %ld\n", r);
	return 0;
}
C
cc -O2 -rdynamic -I"$TOP/tests/progs" -o count count.c || fail "building count"
cc -O2 -rdynamic -I"$TOP/tests/progs" -o reuse reuse.c || fail "building reuse"

conf_function square 'long square(long x)'
conf_cache dir="$T/cache" stats=stderr
export MEMO_CONFIG="$T/memo.d"

note "count: files the program can open under ulimit -n 16"
(ulimit -n 16 && MEMO_DISABLE=1 timeout 30 ./count) >count-plain.out || fail "count without libmemo"
note "without libmemo: $(cat count-plain.out)"
reset_runs
for run in first second; do
	(ulimit -n 16 && timeout 30 env LD_PRELOAD="$PRELOAD" ./count) >count-$run.out 2>count-$run.err ||
		{ cat count-$run.err; fail "count, $run run under libmemo"; }
	same count-plain.out count-$run.out "count, $run run"
	grep -q 'stats for pid' count-$run.err ||
		{ cat count-$run.err; fail "count, $run run: no stats table on stderr"; }
done
expect_eq "$(runs square)" 1 "bodies run by the two count runs (a miss, then a hit)"

note "reuse: close_range, then the numbers filled with the program's folder"
mkdir plain
(ulimit -n 4096 && MEMO_DISABLE=1 timeout 30 ./reuse plain) || fail "reuse without libmemo ($?)"
ls -A plain >plain.ls
rm -rf "$T/cache"
reset_runs
for run in first second; do
	mkdir $run
	(ulimit -n 4096 && timeout 30 env LD_PRELOAD="$PRELOAD" ./reuse $run) 2>reuse-$run.err ||
		{ cat reuse-$run.err; fail "reuse, $run run under libmemo ($?)"; }
	ls -A $run >$run.ls
	same plain.ls $run.ls "reuse, $run run: what the program's folder holds"
	same plain/results $run/results "reuse, $run run: the results file"
	grep -q 'stats for pid' reuse-$run.err ||
		{ cat reuse-$run.err; fail "reuse, $run run: no stats table on stderr"; }
	[ $run = second ] || reset_runs
done
expect_eq "$(runs square)" 0 "bodies run by the second process (the sets reached the cache)"
exit 0
