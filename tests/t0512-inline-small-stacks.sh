#!/usr/bin/env bash
# Owns: memoized calls where the caller's stack is small, under the real
# libmemo: the entry's vector save area and the call's value buffers in the
# thread's own memory (src/call/scratch.c, src/patch/entry.S), a hook's first
# call primed on a stack of its own (src/call/prime.c). sq is entry-patched
# and called from a thread with a 16 KiB stack, a makecontext coroutine with
# an 8 KiB stack (the first call and later ones, switching away between
# them), and a SIGUSR1 handler on an 8 KiB sigaltstack; each small stack has
# an inaccessible page below it (tests/progs/inline/smallstack.c). Each case
# runs twice, with an empty cache (misses) and with a full one (store hits):
# the output is the run without libmemo's, byte for byte, and every call is
# memoized (through the hook, bodies run only for misses). Before, each of
# these crashed on the first call. Under the sanitizers, whose frames are
# larger (ASan's printf alone overflows 8 KiB), the stacks are twice as big.
source "$TOP/tests/lib.sh"
prog="$P/inline/smallstack"
x=1
[ "${SAN:-0}" = 1 ] && x=2

conf_function sq 'long sq(long n)' mechanism=inline
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

# 6 calls of sq(i % 5): 5 misses and an l1 hit, then 6 hits from the store.
for c in "thread $((16 * x))" "coro $((8 * x))" "signal $((8 * x))"; do
	set -- $c
	MEMO_DISABLE=1 "$prog" $1 $2 6 >plain.out 2>plain.err || fail "$c without libmemo"
	rm -rf cache stats.jsonl
	reset_runs
	under_memo "$prog" $1 $2 6 >first.out 2>first.err || { cat first.err; fail "$c under libmemo, empty cache"; }
	same plain.out first.out "$c, empty cache"
	expect_eq "$(runs sq)" 5 "$c: bodies run with an empty cache"
	expect_eq "$(stat_of stats.jsonl sq calls)" 6 "$c: calls through the hook, empty cache"
	reset_runs
	under_memo "$prog" $1 $2 6 >second.out 2>second.err || { cat second.err; fail "$c under libmemo, full cache"; }
	same plain.out second.out "$c, full cache"
	expect_eq "$(runs sq)" 0 "$c: bodies run with a full cache"
	expect_eq "$(stat_of stats.jsonl sq hits)" 6 "$c: hits from the store"
	[ $1 = signal ] && note "signal stack used: $(sed -n 's/^signal stack used: //p' plain.err) B without libmemo, $(sed -n 's/^signal stack used: //p' first.err) and $(sed -n 's/^signal stack used: //p' second.err) under it"
done
exit 0
