#!/usr/bin/env bash
# t1414: structs the debug info describes need no [types] (issue 15). With
# tests/progs/structs built with -g, prototypes name `struct range`, `struct
# sample`... that no file declares: at activation the debug info defines
# them (src/find/signature.c signature_define_structs, types_define), so
# the calls are memoized as in t1410-t1411, and a second process is served
# with the same output. The debug info is read at each start then (no cached
# verdict tells a layout). The same library without its debug info: each
# such function is refused [prototype-mismatch], saying why, and runs
# unmemoized, its output byte-identical; `memo check` says so too. `memo
# inspect` writes such structs and complex values in its suggestions.
source "$TOP/tests/lib.sh"

prog="$P/structs/structs_main"
lib="$P/structs/libstructs.so"
MEMO_DISABLE=1 "$prog" 1 17 >plain.out || fail "plain run"
export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function minmax 'struct range minmax(const double x[n], size_t n)'
conf_function summarize 'struct stats3 summarize(const double x[n], size_t n)'
conf_function best 'struct pair best(const double x[n], size_t n)'
conf_function span 'double span(struct range r, double scale)'
conf_function weigh 'double weigh(const struct sample s[n], size_t n)'
conf_function make_samples 'void make_samples(int n, out struct sample out[n])'
conf_function widen 'struct wide widen(struct wide w, double f)'
fns="minmax summarize best span weigh make_samples widen"

note "memo check"
"$B/memo" check -c memo.d "$lib" >check.out 2>&1 || { cat check.out; fail "memo check"; }
expect_eq "$(grep -c 'prototype agrees with the debug info' check.out)" 7 "prototypes that agree"

note "memo inspect writes them"
"$B/memo" inspect "$lib" minmax >inspect.out || fail "memo inspect"
grep -qF "prototype = struct range minmax(const double x[n], size_t n)" inspect.out ||
	{ cat inspect.out; fail "inspect: minmax's struct not written"; }
"$B/memo" inspect "$lib" cpow_n >inspect.out || fail "memo inspect"
grep -qF "prototype = complex double cpow_n(complex double z, int n)" inspect.out ||
	{ cat inspect.out; fail "inspect: cpow_n's complex not written"; }

note "defined by the debug info, memoized"
reset_runs
under_memo "$prog" 1 17 >one.out 2>one.err || { cat one.err; fail "first run"; }
! said one.err || { cat one.err; fail "the first run said something"; }
same plain.out one.out "first run"
expect_eq "$(runs weigh)" 2 "weigh's bodies (its padding is no part of the key)"
reset_runs
under_memo "$prog" 1 200 >two.out 2>two.err || { cat two.err; fail "second run"; }
! said two.err || { cat two.err; fail "the second run said something"; }
same plain.out two.out "second run"
for f in $fns; do
	expect_eq "$(runs $f)" 0 "'$f' bodies in the second run"
done

note "no debug info: refused, unmemoized"
mkdir nodebug
strip --strip-debug -o nodebug/libstructs.so "$lib" || fail "strip"
rm -rf cache
reset_runs
LD_LIBRARY_PATH="$T/nodebug" under_memo "$prog" 1 17 >bare.out 2>bare.err || { cat bare.err; fail "run without debug info"; }
same plain.out bare.out "run without debug info"
for f in $fns; do
	grep -qF "'$f' ($T/memo.d/$f.conf:1) cannot be memoized [prototype-mismatch]: $T/memo.d/$f.conf:2:13: a struct is declared in no [types] section, and no debug info describes '$f'" bare.err ||
		{ cat bare.err; fail "'$f' refusal not said"; }
done
expect_eq "$(runs weigh)" 4 "weigh's bodies, unmemoized"
"$B/memo" check -c memo.d nodebug/libstructs.so >check.out 2>&1 && { cat check.out; fail "memo check without debug info"; }
grep -qF "memo.d/minmax.conf:2:13: error [prototype-mismatch]: a struct is declared in no [types] section, and no debug info describes it" check.out ||
	{ cat check.out; fail "memo check: minmax not said"; }

note "a struct with a pointer field is not defined from the debug info"
mkdir ptr.d
printf '[function stream_sum]\nprototype = double stream_sum(const struct stream s[1])\n' >ptr.d/s.conf
"$B/memo" check -c ptr.d "$P/dwarf/libintegrate.so" >ptr.out 2>&1 && { cat ptr.out; fail "memo check accepted struct stream"; }
grep -qF "ptr.d/s.conf:2:31: error [prototype-mismatch]: 'struct stream' is declared in no [types] section, and the debug info does not list its fields as keys need them" ptr.out ||
	{ cat ptr.out; fail "struct stream: the reason not said"; }
exit 0
