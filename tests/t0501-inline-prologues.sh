#!/usr/bin/env bash
# Owns: entry patching of exact prologues (tests/progs/inline/prologue.S): a
# RIP-relative first instruction, a 0x66 RIP-relative SSE load, endbr64, a
# short jcc and a call in the first bytes are patched and give the same
# output; a back edge into the patched bytes, a 3-byte function and a variadic
# function are refused with their reasons; a fault in a trampoline is named.
source "$TOP/tests/lib.sh"
D="$P/inline/libinltest.so"

"$P/inline/prologue" >plain.out || fail "prologue without patching"
INLTEST="p_riprel:l(l);p_sse66:d(d);p_endbr:l(l);p_jcc_call:i(i);p_crash:i(p);p_backedge:i(i);p_tiny:i(i);p_vsum:i(i)" \
	LD_PRELOAD="$D" MEMO_LOG=info "$P/inline/prologue" >patched.out 2>err || { cat err; fail "patched run"; }
cat err
same plain.out patched.out "prologues"
for f in p_riprel p_sse66 p_endbr p_jcc_call p_crash; do
	grep -qx "libmemo: '$f': entry-patched" err || fail "'$f' was not patched"
	grep -qx "inltest: $f calls=5" err || fail "'$f' calls did not all reach the hook"
done
grep -q "'p_backedge': not entry-patched: a branch at +0x8 jumps into the patched bytes (to +0x2)" err ||
	fail "back edge not refused with its reason"
grep -q "'p_tiny': not entry-patched: 3-byte function is shorter than the 5-byte jump" err ||
	fail "3-byte function not refused with its reason"
grep -q "'p_vsum': not entry-patched: variadic function" err || fail "variadic function not refused"

# A fault inside the trampoline: named, then the default action (SIGSEGV).
# (Under ASan the sanitizer's SEGV handler reports first: not this case.)
[ "${SAN:-0}" = 1 ] && exit 0
INLTEST="p_crash:i(p)" LD_PRELOAD="$D" "$P/inline/prologue" crash 2>crash.err
rc=$?
cat crash.err
expect_eq "$rc" 139 "exit status of the crash"
grep -q "libmemo: error: 'p_crash': Segmentation fault in its entry-patch trampoline at +0x4 (INLTEST:1)" crash.err ||
	fail "the crash handler did not name the hook"
exit 0
