# Owns: a process that runs without /proc (a container or chroot that does
# not mount it). A static function of the main program is still found (the
# name the program was started by, AT_EXECFN, when that file is the one
# mapped) and entry-patched (near pages probed without /proc/self/maps):
# memoized across runs, output as without libmemo. It used to be left
# unmemoized without a word.
source "$TOP/tests/lib.sh"
[ "${SAN:-0}" = 1 ] && skip "the sanitizers' runtime reads /proc at start: it cannot run without it"
command -v unshare >/dev/null || skip "no unshare"
unshare -m true 2>/dev/null || skip "no mount namespace here"

cat >prog.c <<'C'
#include <stdio.h>
#include "runs.h"

__attribute__((noinline)) static long sq(long x)
{
	test_ran("sq");
	return x * x;
}

long (*volatile call_sq)(long) = sq;	/* a static function, called through a pointer */

int main(void)
{
	long s = 0;
	for (int i = 0; i < 3; i++)
		s += call_sq(7);
	printf("%ld\n", s);
	return 0;
}
C
cc -O2 -I"$TOP/tests/progs" -o prog prog.c || fail "building the program"
conf_function sq 'long sq(long x)'
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

# no_proc CMD...: CMD in a mount namespace of its own, /proc hidden
no_proc() { unshare -m sh -c 'mount -t tmpfs none /proc && exec "$@"' sh "$@"; }

MEMO_DISABLE=1 ./prog >plain.out || fail "plain run"
no_proc test -e /proc/self/exe && fail "/proc is still there"
for run in first second; do
	reset_runs
	no_proc timeout 30 env LD_PRELOAD="$PRELOAD" ./prog >$run.out 2>$run.err ||
		{ cat $run.err; fail "$run run without /proc"; }
	same plain.out $run.out "$run run without /proc"
	said $run.err && { cat $run.err; fail "$run run: libmemo said something"; }
done
expect_eq "$(stat_sum stats.jsonl sq calls)" 6 "calls of sq through its hook"
expect_eq "$(stat_sum stats.jsonl sq hits)" 5 "hits: all but the first call"
expect_eq "$(runs sq)" 0 "the second run computes nothing"
exit 0
