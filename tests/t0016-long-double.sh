#!/usr/bin/env bash
# Owns: a long double's 6 padding bytes. libffi's return slot and the stored
# value are 16 bytes, the x87 store writes 10: evaluate.c (the plain path) and
# repeat.c (a running mean) zero the other 6, so an entry's bytes depend on
# the value alone, and none is uninitialised. A long double argument, alone
# or in an array, is keyed on its 10 bytes (key.c), so the same values hit
# whatever their padding held.
# Seen in the entries' value bytes (their padding zero, the same after the
# program dirtied its stack with two patterns), in hits whatever the
# arguments' padding held, and under valgrind (uninitialised bytes written
# are an error).
source "$TOP/tests/lib.sh"

cat >prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runs.h"

__attribute__((noinline)) long double third(long double x)
{
	test_ran("third");
	return x / 3.0L;
}

__attribute__((noinline)) long double half(long double x)
{
	test_ran("half");
	return x / 2.0L;
}

__attribute__((noinline)) long double total(const long double *x, int n)
{
	long double s = 0;

	test_ran("total");
	for (int i = 0; i < n; i++)
		s += x[i];
	return s;
}

/* Leaves `pattern` on the stack below main's frame, where the calls' frames,
 * libffi's return slot and the argument's padding will lie. */
__attribute__((noinline)) static void dirty(int pattern)
{
	volatile unsigned char junk[65536];

	memset((void *)junk, pattern, sizeof junk);
}

/* Out of line, so that the stores after it never make it dead. */
__attribute__((noinline)) static void smear(void *p, int pattern, size_t n)
{
	memset(p, pattern, n);
}

int main(int argc, char **argv)
{
	int pattern = argc > 1 ? atoi(argv[1]) : 0, i;

	for (i = 0; i < 3; i++) {
		long double a, b, v[4];

		dirty(pattern + i);
		a = third(10.0L + i);
		dirty(pattern + i);
		b = half(10.0L);
		/* the same values over padding that changes with the pattern */
		smear(v, pattern + i, sizeof v);
		for (int j = 0; j < 4; j++)
			v[j] = j + i;
		printf("%La %La %La\n", a, b, total(v, 4));
	}
	return 0;
}
C
cc -O2 -rdynamic -I"$TOP/tests/progs" -o prog prog.c || fail "building the program"
conf_function third 'long double third(long double x)'
conf_function half 'long double half(long double x)' allow_repeated_evaluations=yes \
	min_repetitions=2 max_repetitions=2
conf_function total 'long double total(const long double x[n], int n)'
export MEMO_CONFIG="$T/memo.d"

# Each entry's key and its return value: the 16 bytes of its one part, last
# before the value's 8-byte function tag (value.h).
values() {
	python3 - "$1" <<'PY'
import glob, os, sys
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*", "m1-*"))):
    print(os.path.basename(p), open(p, "rb").read()[-24:-8].hex())
PY
}

MEMO_DISABLE=1 ./prog 17 >plain.out || fail "plain run"
for run in a b; do
	# small_store = no: the entries are read as files below
	conf_cache dir="$T/cache-$run" stats="$T/stats-$run.jsonl" small_store=no
	pattern=$([ $run = a ] && echo 17 || echo 204)
	under_memo ./prog "$pattern" >"$run.out" 2>"$run.err" || { cat "$run.err"; fail "run $run"; }
	same plain.out "$run.out" "run $run"
	values "cache-$run" >"values-$run"
done
expect_eq "$(wc -l <values-a)" 7 "entries: third and total of three values, half's mean"
same values-a values-b "the stored values after stacks dirtied with 0x11 and 0xcc"
grep -v '000000000000$' values-a && fail "a long double stored with nonzero padding"

# The same values again, with another pattern under the arguments: all hits.
reset_runs
under_memo ./prog 85 >again.out 2>again.err || { cat again.err; fail "third run"; }
same plain.out again.out "third run"
expect_eq "$(runs third)" 0 "third's bodies run when its argument's padding changed"
expect_eq "$(runs total)" 0 "total's bodies run when its array's padding changed"

# valgrind: no uninitialised byte reaches a file or a decision, miss or hit.
# Its x87 emulation rounds long doubles to 64 bits: its own plain run is the
# reference.
if [ "${SAN:-0}" = 1 ]; then
	note "valgrind part skipped under SAN=1"
elif ! command -v valgrind >/dev/null; then
	note "valgrind part skipped: no valgrind (tools/install-deps.sh test)"
else
	vg() { timeout 300 valgrind -q --error-exitcode=99 --track-origins=no "$@"; }
	conf_cache dir="$T/cache-vg" stats="$T/stats-vg.jsonl"
	MEMO_DISABLE=1 vg ./prog 17 >vg-plain.out || fail "plain run under valgrind"
	for run in miss hit; do
		rc=0
		LD_PRELOAD="$PRELOAD" vg ./prog 17 >"vg-$run.out" 2>"vg-$run.err" || rc=$?
		[ $rc = 0 ] || { cat "vg-$run.err" >&2; fail "valgrind, $run run: exit $rc"; }
		same vg-plain.out "vg-$run.out" "valgrind, $run run"
	done
	expect_eq "$(stat_sum stats-vg.jsonl third hits)" 3 "hits under valgrind"
fi
exit 0
