#!/usr/bin/env bash
# Owns: the value codec (src/store/value.c) through its unit driver: round trips of
# 0..VALUE_MAX_PARTS parts, every verdict from a crafted corruption, secrets,
# and a value moved under another key. Calls $P/unit/value only.
source "$TOP/tests/lib.sh"

"$P/unit/value" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "value codec"; }
grep -qx 'ok (0 failures)' "$T/out" || fail "value driver did not finish"
