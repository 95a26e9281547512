#!/usr/bin/env bash
# A configured symbol that libmemo itself needs is refused by name under
# LD_PRELOAD: stderr names it with the reason (and the config line), the
# program runs as without libmemo, and the other symbols are still memoized.
source "$TOP/tests/lib.sh"
G="$P/got"

mkdir memo.d
conf_cache dir="$T/cache"
conf_function got_add 'int got_add(int a, int b)' mechanism=got
conf_function strlen 'size_t strlen(const char *s)'
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$G/gotprog-relro" 4 >plain.out || fail "plain run"
reset_runs
under_memo "$G/gotprog-relro" 4 >out 2>err || { cat err; fail "run with a denied symbol"; }
cat err
same plain.out out "denied symbol"
grep -qF "'strlen' ($T/memo.d/strlen.conf:1) cannot be memoized [denied]: " err ||
	fail "stderr does not give the refusal and its reason"
expect_eq "$(grep -c "'strlen'" err)" 1 "the refusal is said once"
expect_eq "$(runs got_add)" 2 "got_add still memoized"
