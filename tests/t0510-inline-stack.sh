#!/usr/bin/env bash
# Owns: the stack the entry (src/patch/entry.S, its save area sized by
# src/patch/entry_cpu.c) takes per memoized call, under the real libmemo: a
# memoized recursion, every level a miss through the entry, in a thread with
# a 2 MiB stack, 250 levels deep. Same output as without libmemo; every level
# through the hook. The stack bytes per level are printed (no bound asserted
# on them here): 32 without libmemo; 14,272 when the entry sized its XSAVE
# area for the AMX tile data too, which overflowed this stack.
source "$TOP/tests/lib.sh"
prog="$P/inline/stack"

conf_function depth 'long depth(long n)' mechanism=inline globals=start
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$prog" 250 2048 >plain.out 2>plain.err || fail "depth(250) without libmemo"
note "without libmemo: $(cat plain.err)"
under_memo "$prog" 250 2048 >first.out 2>first.err || { cat first.err; fail "depth(250) under libmemo, 2 MiB stack"; }
note "under libmemo: $(grep '^bytes per level' first.err)"
same plain.out first.out "depth(250) under libmemo"
expect_eq "$(stat_of stats.jsonl depth calls)" 251 "calls of depth through its hook"
# The second run is one hit from the store.
under_memo "$prog" 250 2048 >second.out 2>second.err || { cat second.err; fail "second run"; }
same plain.out second.out "depth(250), second run"
expect_eq "$(stat_of stats.jsonl depth hits)" 1 "hits in the second run"
exit 0
