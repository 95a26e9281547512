#!/usr/bin/env bash
# Owns: the shared entry's register contract (shim/entry.S) against GCC -O2
# IPA-RA: callers keeping integer and vector values in caller-saved registers
# across a call to an entry-patched local function, and a caller that calls it
# on a misaligned stack. Same output as without patching, every call hooked.
source "$TOP/tests/lib.sh"
D="$P/inline/libinltest.so"
prog="$P/inline/ipara"

# The program must really have the shapes tested (else this proves nothing).
dis() { objdump -d --no-show-raw-insn "$prog" | awk -v f="<$1>:" '$2 == f {p=1; next} p && /^$/ {exit} p'; }
dis keep_live >keep.s
dis unaligned >unal.s
[ -s keep.s ] && [ -s unal.s ] || skip "objdump did not show the callers"
grep -c 'call.*<leaf>' keep.s | grep -qx '[2-9]' || skip "keep_live does not call leaf"
grep -q '%rsp\|push' keep.s && skip "keep_live spills: no IPA-RA at this compiler"
grep -q '%xmm[3-9]\|%r\(8\|9\|10\|11\)' keep.s || skip "keep_live keeps nothing in caller-saved registers"
head -n 1 unal.s | grep -q 'call.*<leaf>' || skip "unaligned realigns its stack before calling leaf"

"$prog" 50 >plain.out || fail "ipara without patching"
INLTEST="leaf:i(i)" LD_PRELOAD="$D" MEMO_LOG=info "$prog" 50 >patched.out 2>err || { cat err; fail "patched run crashed"; }
cat err
grep -qx "libmemo: 'leaf': entry-patched" err || fail "leaf was not patched"
grep -qx "inltest: leaf calls=250" err || fail "not every call of leaf reached the hook"
same plain.out patched.out "IPA-RA callers"
exit 0
