#!/usr/bin/env bash
# t0132: the entry saves a caller's vector state only when the caller is
# in the hooked function's own object (src/patch/entry.S, desc's caller
# range from activate.c): only there may GCC's IPA-RA keep values in
# vector registers across the call (t0502 checks those callers). A caller
# in another object follows the psABI, which leaves every vector register
# to the callee: its calls save MXCSR alone, not 1-2.5 KiB of vector state
# (issue 17: a small hit's ~80 ns). Counted by gdb, a breakpoint on each
# instruction of memo_inline_entry that stores the vector state (XSAVE,
# XSAVEC, or the first store of the by-hand modes): none for the caller in
# another object, some for the caller in the function's object. Both runs
# print what they print without libmemo, and MXCSR comes back as the
# caller had it: the exception flags libmemo's own arithmetic raises do
# not reach the caller (it tests them after each call).
source "$TOP/tests/lib.sh"
command -v gdb >/dev/null || skip "gdb is not installed (tools/install-deps.sh test)"
[ "${SAN:-0}" = 1 ] && skip "gdb's breakpoints and the ASan runtime's signals"
engine="$(dirname "$PRELOAD")/libmemo-engine.so"
objdump -d --no-show-raw-insn "$engine" |
	awk '/<memo_inline_entry>:/ { p = 1; next } p && /^$/ { exit }
	     p && (/\txsavec? +\(%r12\)/ || /\tv?movdqa +%xmm0,0xa0\(%r12\)/) { sub(":", "", $1); print $1 }' >saves
[ "$(wc -l <saves)" -ge 3 ] || fail "memo_inline_entry's vector saves not found: $(cat saves)"

cat >scale.c <<'C'
/* long enough for the entry's jump; exact for the arguments used */
double scale(double x)
{
	double s = 0;

	for (int i = 1; i <= 3; i++)
		s += x * i;
	return s;
}

/* a caller in scale's own object */
double scale_twice(double x)
{
	return scale(x) + scale(x + 1);
}
C
cat >main.c <<'C'
#include <fenv.h>
#include <stdio.h>

double scale(double x);
double scale_twice(double x);

int main(int argc, char **argv)
{
	int inside = argc > 1;

	for (int round = 0; round < 2; round++)	/* misses, then hits */
		for (int i = 0; i < 4; i++) {
			double r;

			feclearexcept(FE_ALL_EXCEPT);
			r = inside ? scale_twice(i) : scale(i);
			printf("%g flags %d\n", r, fetestexcept(FE_ALL_EXCEPT));
		}
	return 0;
}
C
gcc -O2 -fPIC -shared -o libscale.so scale.c || fail "cannot build libscale.so"
gcc -O2 -o main main.c -L. -lscale -lm -Wl,-rpath,"$T" || fail "cannot build main"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
conf_function scale 'double scale(double x)' "object=$T/libscale.so" mechanism=inline
engine_count_gdb saves SAVES >count.gdb
for caller in outside inside; do
	args=()
	[ $caller = inside ] && args=(inside)
	MEMO_DISABLE=1 ./main "${args[@]}" >$caller.plain || fail "$caller: the program without libmemo"
	grep -q 'flags 0' $caller.plain || fail "$caller: the program's arithmetic is not exact"
	rm -rf cache
	under_memo ./main "${args[@]}" >$caller.out 2>$caller.err || { cat $caller.err; fail "$caller: under libmemo"; }
	same $caller.plain $caller.out "$caller: output and exception flags"
	rm -rf cache
	gdb -q -batch -x count.gdb --args ./main "${args[@]}" >$caller.gdb 2>&1 || true
	grep -q '^SAVES ' $caller.gdb || { tail -20 $caller.gdb; fail "$caller: gdb did not run it to its end"; }
	saves=$(sed -n 's/^SAVES //p' $caller.gdb)
	note "$caller: $saves vector saves"
	if [ $caller = outside ]; then
		expect_eq "$saves" 0 "vector saves for a caller in another object"
	else
		[ "$saves" -gt 0 ] || fail "no vector save for a caller in the function's own object"
	fi
done
exit 0
