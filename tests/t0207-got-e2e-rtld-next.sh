#!/usr/bin/env bash
# A library wrapping libc's puts with dlsym(RTLD_NEXT) works exactly as
# without libmemo (libmemo interposes neither dlopen nor dlsym), while a
# hooked function of the same program is memoized.
source "$TOP/tests/lib.sh"
G="$P/got"

mkdir memo.d
conf_cache dir="$T/cache"
conf_function got_add 'int got_add(int a, int b)' mechanism=got
export MEMO_CONFIG="$T/memo.d"

reset_runs
MEMO_DISABLE=1 "$G/gotprog-next" >plain.out || fail "plain run"
grep -qx '\[wrapped\] hello through the wrapper' plain.out || { cat plain.out; fail "the wrapper is not in use"; }
under_memo "$G/gotprog-next" >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run"
reset_runs
under_memo "$G/gotprog-next" >second.out 2>second.err || { cat second.err; fail "second run"; }
same plain.out second.out "second run"
expect_eq "$(runs got_add)" 0 "got_add served from the cache"
