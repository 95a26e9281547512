#!/usr/bin/env bash
# Owns: key_prefix's block alignment (src/store/key.c), through its unit
# driver: for every namespace length to 300 bytes and prototypes short and
# long, the prefix ends on a block's end but for the rules, so a call's own
# bytes start a block (issue 17: bf_scalar's key took two compressions, its
# 120-byte prefix and the call's 16 bytes spanning two blocks).
source "$TOP/tests/lib.sh"

"$P/unit/key_prefix" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "key_prefix"; }
cat "$T/out"
grep -qx 'ok (0 failures, 903 prefixes)' "$T/out" || fail "key_prefix driver did not finish"
