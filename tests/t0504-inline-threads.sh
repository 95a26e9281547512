#!/usr/bin/env bash
# Owns: entry patching under threads: 8 threads inside one patched function
# while a dlopen'ed library is patched (shim/inline.c inline_after_dlopen) and
# called, then 8 threads calling a patched function at once; results right,
# every call hooked. Repeated a few times to give a race a chance to show.
source "$TOP/tests/lib.sh"
D="$P/inline/libinltest.so"

"$P/inline/threads" "$P/inline" >plain.out || fail "threads without patching"
for i in 1 2 3 4 5; do
	INLTEST="inl_hold:l(l);inl_fast:l(l);inl_late:l(l)" LD_PRELOAD="$D" MEMO_LOG=info \
		"$P/inline/threads" "$P/inline" >patched.out 2>err || { cat err; fail "patched run $i"; }
	same plain.out patched.out "threads run $i"
	grep -qx "libmemo: 'inl_late': entry-patched" err || { cat err; fail "inl_late not patched at its dlopen"; }
	grep -qx "inltest: inl_hold calls=8" err || { cat err; fail "calls of inl_hold missed the hook"; }
	grep -qx "inltest: inl_fast calls=160000" err || { cat err; fail "calls of inl_fast missed the hook"; }
	grep -qx "inltest: inl_late calls=1" err || { cat err; fail "the call of inl_late missed the hook"; }
done
cat err
exit 0
