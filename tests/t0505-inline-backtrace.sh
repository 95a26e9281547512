#!/usr/bin/env bash
# Owns: the CFI of the shared entry (src/patch/entry.S) under the real libmemo: a
# libunwind backtrace taken inside a memoized function's body (called by
# libmemo's handler on a miss) walks through the handler, the closure and the
# entry back to the caller and main; for a static function of the executable
# and for library functions (8 arguments; long double on the stack).
source "$TOP/tests/lib.sh"

mkdir memo.d
conf() { printf '[function %s]\nprototype = %s\nmechanism = inline\n' "$1" "$2" >"memo.d/$1.conf"; }
conf local_twice 'long local_twice(long x)'
conf inl_add8 'long inl_add8(long a, long b, long c, long d, long e, long f, long g, long h)'
conf inl_ldmul 'long double inl_ldmul(long double a, int k, long double b)'
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/inline/reach" "$P/inline" >plain.out || fail "reach without libmemo"
MEMO_TEST_BT=local_twice,inl_add8,inl_ldmul under_memo "$P/inline/reach" "$P/inline" >out 2>err ||
	{ cat err; fail "run under libmemo"; }
cat err
same plain.out out "reach with backtraces"
for f in local_twice inl_add8 inl_ldmul; do
	grep -q "^bt: '$f' reaches main: < .*$f < .*call_handler < .*memo_inline_entry < main" err ||
		fail "the backtrace from '$f' does not pass the handler and the entry to main"
done
exit 0
