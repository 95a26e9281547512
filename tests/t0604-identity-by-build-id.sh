# A function with no symbol to decode it by — libm's sin is an IFUNC whose
# implementation (__sin_fma, ...) has no symbol in Debian's stripped libm —
# is identified by its library's build-id: memoized through GOT slots, with
# the reason it is not entry-patched said once.
source "$TOP/tests/lib.sh"

cat >s.c <<'C'
#include <math.h>
#include <stdio.h>
int main(void)
{
	double s = 0;
	for (int r = 0; r < 3; r++)
		for (int i = 0; i < 5; i++)
			s += sin(i * 0.5);
	printf("%.17g\n", s);
	return 0;
}
C
cc -O0 -o s s.c -lm || fail "build"
printf '[cache]\ndir = %s\nstats = %s\n[function sin]\nprototype = double sin(double x)\n' \
	"$T/cache" "$T/stats.jsonl" >m.conf
export MEMO_CONFIG="$T/m.conf"
MEMO_DISABLE=1 ./s >plain.out || fail "plain run"
under_memo ./s >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run"
expect_eq "$(stat_of stats.jsonl sin evaluations)" 5 "evaluations (5 distinct arguments)"
grep -q "'sin': not entry-patched" first.err || { cat first.err; fail "the reason it is not entry-patched"; }
under_memo ./s >second.out 2>/dev/null || fail "second run"
same plain.out second.out "second run"
expect_eq "$(stat_of stats.jsonl sin hits)" 15 "hits in the second run"
