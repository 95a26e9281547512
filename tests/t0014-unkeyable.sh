# Owns: a call that cannot be keyed (an array length that is negative or
# overflows): it runs the original, unmemoized, every time, with the caller's
# errno; it is counted as bypassed and said once; the output is the same as
# without libmemo. And a hook's first call, which primes it (opening the
# store and files), leaves the caller's errno as it found it: it once left
# ENOENT.
source "$TOP/tests/lib.sh"

cat >prog.c <<'C'
#include <errno.h>
#include <stdio.h>
#include "runs.h"

__attribute__((noinline)) double grid_sum(const float *g, int rows, int cols)
{
	double s = 0;
	test_ran("grid_sum");
	for (int i = 0; i < rows * cols; i++)
		s += g[i];
	return s + rows + cols;
}

int main(void)
{
	static const float g[4] = { 1, 2, 3, 4 };
	for (int rep = 0; rep < 3; rep++) {
		/* the body leaves errno alone: the caller must see what it set */
		errno = 43;
		double good = grid_sum(g, 2, 2);	/* the first call primes */
		int e = errno;
		errno = 42;
		double bad = grid_sum(g, -1, 2);	/* length -2: cannot be keyed */
		printf("%g %d %g %d\n", good, e, bad, errno);
	}
	return 0;
}
C
cc -O2 -rdynamic -I"$TOP/tests/progs" -o prog prog.c || fail "building the program"
conf_function grid_sum 'double grid_sum(const float g[rows * cols], int rows, int cols)'
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 ./prog >plain.out || fail "plain run"
reset_runs
under_memo ./prog >memo.out 2>memo.err || { cat memo.err; fail "run under libmemo"; }
same plain.out memo.out "unkeyable calls"
expect_eq "$(runs grid_sum)" 4 "three unkeyable runs and one keyed miss"
expect_eq "$(stat_of stats.jsonl grid_sum bypassed)" 3 "unkeyable calls counted as bypassed"
expect_eq "$(stat_of stats.jsonl grid_sum hits)" 2 "the keyed call hits"
expect_eq "$(grep -c "'grid_sum': an array length is negative or overflows" memo.err)" 1 \
	"the unkeyable call said once"
exit 0
