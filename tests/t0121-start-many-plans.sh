#!/usr/bin/env bash
# t0121: what a start learns of an object with more functions than a
# book's first buffer holds (src/base/util.h) is all kept: the entry plans
# (decode_cache.c: ~250 in 16 KiB) and the prototype verdicts (signature.c:
# ~300). A program of 320 configured functions: the first start decodes
# them (Zydis loaded) and reads the debug info (libmemo-dwarf.so), the
# second patches every one from its plan with its verdict kept, and loads
# neither. The books used to start over when full, so that every start
# decoded the functions whose plans were dropped, and loaded Zydis and the
# DWARF reader for them.
source "$TOP/tests/lib.sh"
export MEMO_CONFIG="$T/memo.d"
N=320

{
	echo '#include <stdio.h>'
	for i in $(seq 1 $N); do
		echo "__attribute__((noinline)) long f$i(long x) { return x * $((i + 1000)) + $i; }"
	done
	echo 'int main(void) { long s = 0;'
	for i in $(seq 1 $N); do echo "s += f$i($i);"; done
	echo 'printf("%ld\n", s); return 0; }'
} >many.c
gcc -g -O0 -o many many.c || fail "cannot build the program"
MEMO_DISABLE=1 ./many >plain.out || fail "the program alone"

conf_cache dir="$T/cache" stats=off
for i in $(seq 1 $N); do conf_function "f$i" "long f$i(long x)" mechanism=inline; done

for r in first again; do
	rm -f "$r".ld.*
	MEMO_LOG=info LD_DEBUG=files LD_DEBUG_OUTPUT="$T/$r.ld" under_memo ./many >"$r.out" 2>"$r.err" ||
		{ tail "$r.err"; fail "$r: the program failed"; }
	same plain.out "$r.out" "$r run"
	expect_eq "$(memoized_in "$r.err")" $N "$r run: functions entry-patched"
done
cat first.ld.* | grep -q 'file=libZydis' || fail "the first start decoded nothing with Zydis"
cat first.ld.* | grep -q 'file=.*libmemo-dwarf' || fail "the first start read no debug info"
cat again.ld.* | grep -q 'file=libZydis' &&
	fail "a start whose $N entries were all decoded before loaded Zydis (plans dropped)"
cat again.ld.* | grep -q 'file=.*libmemo-dwarf' &&
	fail "a start whose $N verdicts were all kept loaded the DWARF reader (verdicts dropped)"
[ "$(cat "$T"/cache/identity/d2-* | wc -c)" -gt 16384 ] ||
	fail "the plans fit the first 16 KiB: the test shows nothing"
[ "$(cat "$T"/cache/identity/s1-* | wc -c)" -gt 16384 ] ||
	fail "the verdicts fit the first 16 KiB: the test shows nothing"
exit 0
