#!/usr/bin/env bash
# Owns: an array argument whose declared length runs past the memory behind
# it (store/key.c key_unreadable_arg, base/util.c util_readable). The
# program's functions read less than the prototype declares (up to a NUL, or
# a few bytes), so without libmemo nothing faults; libmemo would read every
# declared byte to key the call, or to store an out buffer. Each buffer is
# followed by a PROT_NONE page (one of 8 MiB has it at 5 MiB, for arrays
# checked against the process's mappings): such a call runs unmemoized,
# with a message naming the argument, and the program prints exactly what it prints without
# libmemo. A call whose declared bytes are readable is still memoized (a hit
# in the second run).
source "$TOP/tests/lib.sh"

cat >past.c <<'C'
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "runs.h"

/* At most cap bytes, up to the first NUL. */
__attribute__((noinline)) long count_to_zero(const char *buf, size_t cap)
{
	size_t n = 0;

	test_ran("count_to_zero");
	while (n < cap && buf[n])
		n++;
	return (long)n;
}

/* Writes 8 bytes, whatever cap says. */
__attribute__((noinline)) void fill_some(char *buf, size_t cap)
{
	test_ran("fill_some");
	memcpy(buf, "filled!", cap < 8 ? cap : 8);
}

#define MIB (1024 * 1024)

int main(void)
{
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *big = mmap(NULL, 8 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *tail;

	if (page == MAP_FAILED || mprotect(page + 4096, 4096, PROT_NONE) < 0)
		return 2;
	/* 8 MiB with a PROT_NONE page at 5 MiB: large arrays are checked
	 * against the process's mappings at once */
	if (big == MAP_FAILED || mprotect(big + 5 * MIB, 4096, PROT_NONE) < 0)
		return 2;
	strcpy(big, "big");
	printf("%ld\n", count_to_zero(big, 8 * MIB));
	printf("%ld\n", count_to_zero(big, 5 * MIB));
	tail = page + 4096 - 16;
	strcpy(page, "hello");
	strcpy(tail, "tail");
	/* a whole page more than there is; 64 bytes from 16 before the end */
	printf("%ld\n", count_to_zero(page, 8192));
	printf("%ld\n", count_to_zero(tail, 64));
	/* readable as declared: memoized */
	printf("%ld\n", count_to_zero(page, 5));
	fill_some(page + 4096 - 8, 4096);
	printf("%s\n", page + 4096 - 8);
	return 0;
}
C
cc -O2 -rdynamic -I"$TOP/tests/progs" -o past past.c || fail "building past"

conf_function count_to_zero 'long count_to_zero(const char buf[cap], size_t cap)'
conf_function fill_some 'void fill_some(out char buf[cap], size_t cap)'
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 ./past >plain.out || fail "without libmemo ($?)"
for run in first second; do
	reset_runs
	rc=0
	timeout 30 env LD_PRELOAD="$PRELOAD" ./past >$run.out 2>$run.err || rc=$?
	[ $rc = 0 ] || { cat $run.err; fail "$run run under libmemo: exit $rc"; }
	same plain.out $run.out "$run run"
	grep -q "'count_to_zero': argument 'buf' declares more bytes than can be read" $run.err ||
		{ cat $run.err; fail "$run run: no message naming count_to_zero's 'buf'"; }
	grep -q "'fill_some': argument 'buf' declares more bytes than can be read" $run.err ||
		{ cat $run.err; fail "$run run: no message naming fill_some's 'buf'"; }
done
# the second run: the three calls past the mapping ran, the readable ones hit
expect_eq "$(runs count_to_zero)" 3 "count_to_zero bodies run by the second process"
expect_eq "$(runs fill_some)" 1 "fill_some bodies run by the second process"
exit 0
