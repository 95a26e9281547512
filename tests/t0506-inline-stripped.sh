#!/usr/bin/env bash
# Owns: a stripped -O2 executable (shim/inline.c inline_find): a static
# function configured in it gets a clear error that names the missing .symtab
# and the functions that remain reachable; library functions are still
# patched; the program's output is the same as without patching.
source "$TOP/tests/lib.sh"
D="$P/inline/libinltest.so"
prog="$P/inline/reach-stripped"

readelf -S "$prog" | grep -q '\.symtab' && fail "the test program is not stripped"
"$prog" "$P/inline" >plain.out || fail "stripped program without patching"
INLTEST="fib:l(l):m;inl_plt:l(l)" LD_PRELOAD="$D" MEMO_LOG=info "$prog" "$P/inline" >patched.out 2>err ||
	{ cat err; fail "patched run"; }
cat err
same plain.out patched.out "stripped program"
grep -qF "libmemo: error: 'fib': '$prog' is stripped (no .symtab section), so its internal functions cannot be found; only the 2 functions it exports remain reachable (.dynsym: _start, main)" err ||
	fail "no clear error for the stripped executable"
grep -qx "libmemo: 'inl_plt': entry-patched" err || fail "a library function of a stripped program was not patched"
grep -qx "inltest: inl_plt calls=3" err || fail "calls of inl_plt missed the hook"
exit 0
