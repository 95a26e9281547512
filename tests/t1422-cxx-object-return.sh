#!/usr/bin/env bash
# t1422: a function that returns a C++ object that is not trivially
# copyable by value is refused [cxx-object], never memoized: a copy
# restored from the cache would own the memory of another object, and be
# freed twice. Seen three ways: model::describe returns a std::string, so
# g++ tags its name [abi:cxx11] (src/find/symbols.c asks
# src/find/cxx_name.c), whatever the prototype says and with no debug info:
# a stripped library, where the hidden return pointer is declared as an out
# buffer (the way a user might get it cached, and then abort); and
# model::series returns a std::vector<double>, which the prototype says
# (src/config/proto.c reads it; src/call/closure.c refuses). Their calls
# run, the output is the program's own, and the other functions of the
# config are memoized.
source "$TOP/tests/lib.sh"
command -v g++ >/dev/null || skip "no g++: the C++ test library is not built"
prog="$P/cxx/cxxprog"
[ -x "$prog" ] || fail "$prog was not built"

conf_cache dir="$T/cache" stats=off
printf '[function model::describe]\nprototype = std::string model::describe(int k)\n' >memo.d/describe.conf
printf '[function model::series]\nprototype = std::vector<double> model::series(int n)\n' >memo.d/series.conf
printf '[function model::Grid::cell]\nprototype = double model::Grid::cell(opaque void *self, int i)\n' >memo.d/cell.conf
export MEMO_CONFIG=memo.d

MEMO_DISABLE=1 "$prog" 5 >plain.out || fail "plain run"
reset_runs
for run in one two; do
	under_memo "$prog" 5 >$run.out 2>$run.err || { cat $run.err; fail "$run run"; }
	same plain.out $run.out "$run run"
done
grep -q "'model::describe' (memo.d/describe.conf:1) cannot be memoized \[cxx-object\]: .*std::string" one.err ||
	{ cat one.err; fail "describe is not refused [cxx-object]"; }
grep -q "'model::series' (memo.d/series.conf:1) cannot be memoized \[cxx-object\]: it returns 'std::vector<double>'" one.err ||
	{ cat one.err; fail "series is not refused [cxx-object]"; }
expect_eq "$(runs describe)" 4 "describe runs at every call"
expect_eq "$(runs series)" 4 "series runs at every call"
"$B/memo" check -c memo.d "$prog" >check.out || { cat check.out; fail "memo check"; }
grep -qF "memo.d/series.conf:1: error [cxx-object]: it returns 'std::vector<double>' by value" check.out ||
	{ cat check.out; fail "memo check does not say series will be refused"; }
grep -qF "model::series: found in $P/cxx/libmodel.so, a library $prog loads" check.out ||
	{ cat check.out; fail "memo check does not find the demangled name in the library"; }
expect_eq "$(runs cell)" 1 "cell is memoized beside them"

note "a std::string return declared as an out buffer, no debug info"
mkdir stripped s.d
cp "$prog" "$P/cxx/libmodel.so" stripped/
strip stripped/libmodel.so || fail "strip"
mangled=$(nm -D stripped/libmodel.so | grep -o '_Z[^ ]*describe[^ ]*')
printf '[function %s]\nprototype = void %s(out char ret[32], int k)\n' "$mangled" "$mangled" >s.d/d.conf
cp memo.d/cache.conf s.d/
reset_runs
for run in s1 s2; do
	LD_LIBRARY_PATH="$T/stripped" MEMO_CONFIG=s.d under_memo stripped/cxxprog 5 >$run.out 2>$run.err ||
		{ cat $run.err; fail "stripped, $run: the program failed"; }
	same plain.out $run.out "stripped, $run"
done
grep -q "cannot be memoized \[cxx-object\]" s1.err || { cat s1.err; fail "the tagged name is not refused"; }
expect_eq "$(runs describe)" 4 "stripped: describe runs at every call"
exit 0
