#!/usr/bin/env bash
# Owns: the CFI of the shared entry (shim/entry.S): a libunwind backtrace
# taken inside the closure handler of an entry-patched function walks through
# the closure and the entry back to the caller and main, for a function in
# the executable and one in a library.
source "$TOP/tests/lib.sh"
D="$P/inline/libinltest.so"

INLTEST="local_twice:l(l):b;inl_add8:l(llllllll):b;inl_ldmul:D(DiD):b" LD_PRELOAD="$D" \
	"$P/inline/reach" "$P/inline" >out 2>err || { cat err; fail "patched run"; }
cat err
for f in local_twice inl_add8 inl_ldmul; do
	grep -q "^inltest: '$f' backtrace reaches main:.*memo_inline_entry < main" err ||
		fail "the backtrace from '$f''s handler does not pass the entry to main"
done
exit 0
