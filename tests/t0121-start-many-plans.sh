#!/usr/bin/env bash
# t0121: the entry plans of an object with more functions than the decode
# cache's first 16 KiB hold (~250 plans: src/patch/decode_cache.c) are all
# kept. A program of 320 configured functions: the first start decodes them
# (Zydis loaded), the second patches every one from its plan and loads no
# Zydis. The book used to start over when full, so that every start decoded
# the functions whose plans it had dropped, and loaded Zydis for them.
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
gcc -O0 -o many many.c || fail "cannot build the program"
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
cat again.ld.* | grep -q 'file=libZydis' &&
	fail "a start whose $N entries were all decoded before loaded Zydis (plans dropped)"
[ "$(cat "$T"/cache/identity/d1-* | wc -c)" -gt 16384 ] ||
	fail "the plans fit the first 16 KiB: the test shows nothing"
exit 0
