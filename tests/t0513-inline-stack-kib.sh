#!/usr/bin/env bash
# Owns: the bound on the stack a memoized recursion takes, as the issue puts
# it: at most about 1 KiB a level more than without libmemo. depth(250), every
# level a miss through the entry, runs in a thread whose stack is what the
# recursion needs without libmemo (16 KiB, the smallest thread glibc makes)
# plus 1 KiB a level. 1,536 bytes a level (libffi's closure and ffi_call
# frames on the stack for the body's time) overflowed it; since the entry
# calls the handler directly (call_entry) and the original is called by
# registers, 960. The second run,
# one hit, in the same thread. Three times the stack under the sanitizers.
source "$TOP/tests/lib.sh"
prog="$P/inline/stack"
x=1
[ "${SAN:-0}" = 1 ] && x=3	# t0510: 2,272 bytes a level measured under ASan
levels=250
kib=$(((16 + levels) * x))

conf_function depth 'long depth(long n)' mechanism=inline globals=start
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$prog" $levels 16 >plain.out 2>plain.err || fail "depth($levels) without libmemo in a 16 KiB thread"
under_memo "$prog" $levels $kib >first.out 2>first.err ||
	fail "depth($levels) under libmemo in a $kib KiB thread (status $?): $(head -c 300 first.err)"
note "under libmemo: $(grep '^bytes per level' first.err), $(cat plain.err) without"
same plain.out first.out "depth($levels) under libmemo, $kib KiB thread"
expect_eq "$(stat_of stats.jsonl depth calls)" $((levels + 1)) "calls of depth through its hook"
expect_eq "$(stat_of stats.jsonl depth misses)" $((levels + 1)) "misses (every level ran its body)"
under_memo "$prog" $levels $kib >second.out 2>second.err || fail "second run (status $?)"
same plain.out second.out "depth($levels), second run"
expect_eq "$(stat_of stats.jsonl depth hits)" 1 "hits in the second run"
exit 0
