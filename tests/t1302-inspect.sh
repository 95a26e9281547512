#!/usr/bin/env bash
# t1302: memo inspect ELF [SYMBOL]. On the identity matrix's program (built
# with -g) it names simulate's callees (transitively, and those behind its
# const table of function pointers), its imports with the library providing
# each, the writable global it reads and its I/O calls, and
# prints the code identity libmemo itself uses (read back from the explain
# record a run leaves in the cache). On tests/progs/explain/impure it refuses
# the entry patch of a 3-byte function with the reason, warns of a
# thread-local, and suggests prototypes from DWARF that `memo check` accepts
# and that memoize the program correctly once pasted into a config.
source "$TOP/tests/lib.sh"

memo="$B/memo"
impure="$P/explain/impure"
gcc -O2 -g -rdynamic -o app "$TOP/tests/progs/identity/matrix.c" -lm || fail "build"

# section FILE NAME: the lines of NAME's section of an inspect output
section() { awk -v n="$2:" '$1 == n { on = 1 } on && /^$/ { exit } on' "$1"; }

"$memo" inspect app simulate >simulate.out || fail "memo inspect app simulate"
grep -q '^simulate: [0-9]* bytes at 0x' simulate.out || fail "no size"
grep -qx '  callees: even, helper, scale_a, scale_b, odd (from even), deep (from helper)' simulate.out ||
	{ cat simulate.out; fail "callees"; }
grep -q '^  imports: .*sin (libm\.so\.6)' simulate.out || fail "sin and its library"
# (under SAN=1, this command's own ASan runtime provides fprintf: it says so)
libc='libc\.so\.6'
[ "${SAN:-0}" = 1 ] && libc='\(libc\.so\.6\|libasan\.so\.[0-9]*\)'
grep -q "^  imports: .*fprintf ($libc)" simulate.out || fail "fprintf and its library"
grep -q '^  constants: .*string "simulate: bad n %d ' simulate.out || fail "the string constant"
grep -q '^  purity warning: reads or writes writable globals: simulate_calls' simulate.out ||
	fail "writable global warning"
grep -q '^  purity warning: calls I/O or nondeterministic functions: .*fprintf' simulate.out ||
	fail "I/O warning"
grep -qx '  entry patch: yes' simulate.out || fail "simulate can be entry-patched"
grep -qx '    prototype = double simulate(int n, double x)' simulate.out || fail "simulate's prototype"

# The identity is the one libmemo keys on at run time.
mkdir memo.d
printf '[cache]\ndir = %s\nstats = off\n' "$T/cache" >memo.d/cache.conf
printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >memo.d/simulate.conf
MEMO_CONFIG="$T/memo.d" under_memo ./app 20 0.5 >/dev/null 2>&1 || fail "run under libmemo"
record=$(find cache -name 'x1-*' | head -n 1)
[ -n "$record" ] || fail "no explain record in the cache"
expect_eq "$(sed -n 's/^  identity: //p' simulate.out)" "$(sed -n '2s/^state \([0-9a-f]*\) .*/\1/p' "$record")" \
	"inspect's identity and libmemo's"

# Every function of a file, entry-patch refusal, thread-local, DWARF prototypes.
"$memo" inspect "$impure" >all.out || fail "memo inspect impure"
for f in scaled fill weighted zero chatty main; do
	grep -q "^$f: " all.out || fail "'$f' not listed"
done
section all.out zero >zero.out
grep -q '^  entry patch: no \[too-short\]: ' zero.out ||
	{ cat zero.out; fail "zero's refused entry patch"; }
section all.out chatty | grep -qx '  purity warning: uses thread-local variables: chats' || fail "thread-local warning"
section all.out scaled | grep -q '^  purity warning: reads or writes writable globals: scale ' || fail "scale warning"
section all.out weighted >weighted.out
grep -qx '    prototype = double weighted(const double w\[n\], const double x\[n\], size_t n)' weighted.out ||
	{ cat weighted.out; fail "weighted's prototype"; }
grep -q "^    ; check: 'w' has n elements (guessed)" weighted.out || fail "the guess is flagged"
section all.out fill | grep -qx '    prototype = void fill(out double out\[n\], int n, int seed)' || fail "fill's prototype"

# Pasted into a config, the suggestions parse and name symbols of the file...
mkdir sugg.d
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache2" "$T/stats.jsonl" >sugg.d/cache.conf
for f in scaled fill weighted; do
	section all.out $f | sed -n '/^    \[function /,$s/^    //p' >sugg.d/$f.conf
done
"$memo" check -c sugg.d "$impure" >check.out || { cat check.out; fail "memo check rejects the suggestions"; }
grep -q '3 functions, 0 not found' check.out || fail "memo check: $(tail -n 1 check.out)"
# ... and memoize the program: same output, the second run from the cache.
MEMO_DISABLE=1 "$impure" 3 4 >plain.out
MEMO_CONFIG="$T/sugg.d" under_memo "$impure" 3 4 >first.out 2>/dev/null || fail "first run"
reset_runs
MEMO_CONFIG="$T/sugg.d" under_memo "$impure" 3 4 >second.out 2>/dev/null || fail "second run"
same plain.out first.out "first run with the suggested config"
same plain.out second.out "second run with the suggested config"
expect_eq "$(wc -l <runs)" 0 "bodies run in the second run"

# Without debug info, and a symbol that is not there.
gcc -O2 -g0 -o nodebug "$TOP/tests/progs/identity/matrix.c" -lm || fail "build"
"$memo" inspect nodebug simulate | grep -qx '  prototype: no DWARF debug info (build with -g to get a suggestion)' ||
	fail "no debug info"
"$memo" inspect nodebug nosuch 2>err && fail "an unknown symbol succeeded"
grep -qx "memo: 'nodebug': no function 'nosuch'" err || { cat err; fail "unknown symbol message"; }
exit 0
