#!/usr/bin/env bash
# Owns: the stack the entry (src/patch/entry.S, its save area sized by
# src/patch/entry_cpu.c) takes per memoized call, under the real libmemo: a
# memoized recursion, every level a miss through the entry, in a thread with
# a 2 MiB stack, 250 levels deep. Same output as without libmemo; every level
# through the hook. The stack bytes per level are printed and bounded: 32
# without libmemo; 14,272 when the entry sized its XSAVE area for the AMX tile
# data too, which overflowed this stack; 5,888 with the save area and the
# call's value buffers on the stack; about 1.5 KiB since they are in the
# thread's own memory (src/call/scratch.c); 960 since the entry calls the
# handler without libffi's closure and the original is called by registers,
# which the bound of 1 KiB more than without libmemo keeps. Then the same recursion, 30 levels deep, in a
# thread with a 64 KiB stack, which 5,888 bytes a level overflowed. Under
# the sanitizers, whose frames are larger (2,128 bytes a level), the bound is
# 3 KiB and the stack twice as big.
source "$TOP/tests/lib.sh"
prog="$P/inline/stack"
x=1 slack=1024
[ "${SAN:-0}" = 1 ] && x=2 slack=3072

conf_function depth 'long depth(long n)' mechanism=inline globals=start
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$prog" 250 2048 >plain.out 2>plain.err || fail "depth(250) without libmemo"
note "without libmemo: $(cat plain.err)"
under_memo "$prog" 250 2048 >first.out 2>first.err || { cat first.err; fail "depth(250) under libmemo, 2 MiB stack"; }
note "under libmemo: $(grep '^bytes per level' first.err)"
same plain.out first.out "depth(250) under libmemo"
expect_eq "$(stat_of stats.jsonl depth calls)" 251 "calls of depth through its hook"
plain_level=$(sed -n 's/^bytes per level: //p' plain.err)
memo_level=$(sed -n 's/^bytes per level: //p' first.err)
[ -n "$memo_level" ] && [ "$memo_level" -le $((plain_level + slack)) ] ||
	fail "a level of memoized recursion took $memo_level bytes of stack, $plain_level without libmemo"
# The second run is one hit from the store.
under_memo "$prog" 250 2048 >second.out 2>second.err || { cat second.err; fail "second run"; }
same plain.out second.out "depth(250), second run"
expect_eq "$(stat_of stats.jsonl depth hits)" 1 "hits in the second run"

# 30 levels in a 64 KiB thread, every one a miss (an empty cache).
rm -rf cache stats.jsonl
MEMO_DISABLE=1 "$prog" 30 $((64 * x)) >plain30.out 2>/dev/null || fail "depth(30) without libmemo, 64 KiB stack"
under_memo "$prog" 30 $((64 * x)) >small.out 2>small.err || { cat small.err; fail "depth(30) under libmemo, 64 KiB stack"; }
same plain30.out small.out "depth(30) under libmemo, 64 KiB stack"
expect_eq "$(stat_of stats.jsonl depth calls)" 31 "calls of depth through its hook, 64 KiB stack"
exit 0
