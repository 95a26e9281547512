#!/usr/bin/env bash
# t0133: a call relocated into a trampoline returns into a near page of
# libmemo's, not into the object its code came from; the entry must still
# save its callee's caller's vector state there (src/patch/inline.c
# every_caller_saved), since that code may, as GCC's IPA-RA does, keep a
# value in a vector register across a call to a function of its own
# object. F begins with a call of G and keeps its argument in %xmm0 across
# it; both are memoized, so F's miss runs that call from F's trampoline
# into G's entry, whose serving uses %xmm0. The output must be as without
# libmemo, in both runs (misses, then hits).
source "$TOP/tests/lib.sh"

cat >fg.S <<'S'
	.text
	.globl	F
	.type	F, @function
F:	/* double F(double x): x + G(), x kept in %xmm0 across the call */
	endbr64
	call	G
	cvtsi2sd %eax, %xmm1
	addsd	%xmm0, %xmm1
	movapd	%xmm1, %xmm0
	ret
	.size	F, .-F
	.globl	G
	.type	G, @function
G:	/* int G(void): 7 */
	endbr64
	movl	$7, %eax
	nop
	nop
	nop
	nop
	nop
	nop
	nop
	nop
	ret
	.size	G, .-G
	.section .note.GNU-stack,"",@progbits
S
cat >main.c <<'C'
#include <stdio.h>

double F(double x);

int main(void)
{
	for (int i = 0; i < 4; i++)
		printf("%.3f\n", F(0.5 + i));
	return 0;
}
C
gcc -O2 -o fg main.c fg.S || fail "cannot build fg"
./fg >plain.out
grep -qx '7.500' plain.out || fail "F does not compute what it should: $(cat plain.out)"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function F 'double F(double x)' mechanism=inline
conf_function G 'int G(void)' mechanism=inline
for run in first second; do
	MEMO_LOG=info under_memo ./fg >$run.out 2>$run.err || { cat $run.err; fail "$run: under libmemo"; }
	grep -q "'F' memoized" $run.err && grep -q "'G' memoized" $run.err ||
		{ cat $run.err; fail "$run: F and G are not both memoized"; }
	same plain.out $run.out "$run run: F's value, kept in %xmm0 across its relocated call of G"
done
expect_eq "$(stat_of stats.jsonl F hits)" 4 "F's hits in the second run"
exit 0
