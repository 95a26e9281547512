#!/usr/bin/env bash
# t1422: a function that returns a C++ object that is not trivially
# copyable by value (model::describe returns a std::string) is refused
# [cxx-object] (src/call/closure.c, the return read by src/config/proto.c),
# never memoized: a copy restored from the cache would own the memory of
# another string, and be freed twice. Its calls run, the output is the
# program's own, and the other functions of the config are memoized.
source "$TOP/tests/lib.sh"
command -v g++ >/dev/null || skip "no g++: the C++ test library is not built"
prog="$P/cxx/cxxprog"
[ -x "$prog" ] || fail "$prog was not built"

conf_cache dir="$T/cache" stats=off
printf '[function model::describe]\nprototype = std::string model::describe(int k)\n' >memo.d/describe.conf
printf '[function model::Grid::cell]\nprototype = double model::Grid::cell(opaque void *self, int i)\n' >memo.d/cell.conf
export MEMO_CONFIG=memo.d

MEMO_DISABLE=1 "$prog" 5 >plain.out || fail "plain run"
reset_runs
for run in one two; do
	under_memo "$prog" 5 >$run.out 2>$run.err || { cat $run.err; fail "$run run"; }
	same plain.out $run.out "$run run"
done
grep -q "'model::describe' (memo.d/describe.conf:1) cannot be memoized \[cxx-object\]: .*'std::string'" one.err ||
	{ cat one.err; fail "describe is not refused [cxx-object]"; }
expect_eq "$(runs describe)" 4 "describe runs at every call"
expect_eq "$(runs cell)" 1 "cell is memoized beside it"
exit 0
