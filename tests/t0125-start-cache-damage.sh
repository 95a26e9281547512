#!/usr/bin/env bash
# t0125: what start-up keeps in the identity folder to patch without
# reading the ELF file or decoding (src/find/symcache.c's symbol facts,
# src/patch/decode_cache.c's entry plans) is believed only whole: each line
# ends in a check of its own text (src/base/line_check.c). A line changed on
# disk so that it still reads as a fact or a plan would have patched another
# function (its calls counted, and served, as this one's), or moved the
# wrong bytes into a trampoline. Here: a function's address in its fact set
# to another function's (called once where it is called three times), and
# a plan's displaced instructions' lengths swapped (they still add up). Each
# is found or decoded again: the output is the plain run's, every call
# reaches the function's hook, and the damaged line is never used.
source "$TOP/tests/lib.sh"
export MEMO_CONFIG="$T/memo.d"

note "a symbol fact whose address names another function"
cat >prog.c <<'EOF2'
#include <stdio.h>
#include <stdlib.h>
#include "runs.h"
__attribute__((noinline)) int other(int x) { test_ran("other"); return x * 7 + 5; }
__attribute__((noinline)) int target(int x) { test_ran("target"); return x * 3 + 1; }
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int n = atoi(argv[i]);
		printf("%d %d %d\n", n, target(n), n == 1 ? other(n) : 0);
	}
	return 0;
}
EOF2
gcc -O2 -I"$TOP/tests/progs" -o prog prog.c || fail "building prog"
./prog 1 2 3 >plain.out || fail "plain run"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function target 'int target(int x)' mechanism=inline
same_quietly "first run" ./prog 1 2 3
facts=$(grep -l '^target	' cache/identity/o*-* 2>/dev/null)
[ -n "$facts" ] || fail "no symbol fact was kept for target"
other=$(nm prog | awk '$3 == "other" { print $1 }' | sed 's/^0*//')
[ -n "$other" ] || fail "no address of other in prog"
# VALUE is the fourth field: NAME VERSION ABSENT VALUE ...
awk -v a="$other" 'BEGIN { FS = OFS = "\t" } $1 == "target" { $4 = a } { print }' \
	"$facts" >facts.new && mv facts.new "$facts"
grep -q "^target	[^	]*	[^	]*	$other	" "$facts" || fail "the fact was not changed"
rm -rf cache/[0-9a-f][0-9a-f] cache/small* stats.jsonl	# results gone: every call runs
reset_runs
MEMO_LOG=info under_memo ./prog 1 2 3 >fact.out 2>fact.err || { cat fact.err; fail "damaged fact: exit status"; }
same plain.out fact.out "damaged fact"
grep -q "'target' memoized" fact.err || { cat fact.err; fail "damaged fact: target not memoized"; }
expect_eq "$(stat_of stats.jsonl target calls)" 3 "damaged fact: calls that reached target's hook"
expect_eq "$(runs other)" 1 "damaged fact: other's bodies (none memoized)"

note "plans whose displaced instructions are swapped"
rm -rf cache memo.d stats.jsonl
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
patched="p_riprel p_sse66 p_endbr p_jcc_call"
for f in $patched; do
	case $f in
	p_riprel | p_endbr) proto="long $f(long x)" ;;
	p_sse66) proto="double $f(double x)" ;;
	*) proto="int $f(int x)" ;;
	esac
	conf_function $f "$proto" mechanism=inline
done
MEMO_DISABLE=1 "$P/inline/prologue" >plain2.out || fail "prologue without libmemo"
same_quietly "prologue, first run" "$P/inline/prologue"
ls cache/identity/d*-* >/dev/null 2>&1 || fail "no plan was kept"
# KEY N GROUP GROUP ...: the first two groups of different lengths swapped
swapped=0
for f in cache/identity/d*-*; do
	awk '{ for (i = 3; i < NF; i++) { split($i, a, ","); split($(i + 1), b, ",");
		if (a[1] != b[1]) { t = $i; $i = $(i + 1); $(i + 1) = t; n++; break } } print }
	     END { print n + 0 > "/dev/stderr" }' "$f" >"$f.new" 2>swaps && mv "$f.new" "$f"
	swapped=$((swapped + $(cat swaps)))
done
[ "$swapped" -ge 1 ] || fail "no plan had two instructions of different lengths to swap"
note "$swapped plans damaged"
rm -rf cache/[0-9a-f][0-9a-f] cache/small* stats.jsonl
MEMO_LOG=info under_memo "$P/inline/prologue" >plan.out 2>plan.err ||
	{ cat plan.err; fail "damaged plans: exit status"; }
same plain2.out plan.out "damaged plans"
for f in $patched; do
	expect_eq "$(stat_of stats.jsonl $f misses)" 5 "damaged plans: misses of $f (its original run)"
done
exit 0
