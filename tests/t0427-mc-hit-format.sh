#!/usr/bin/env bash
# Owns: the bytes a remote hit reads and writes, through the hit_format unit
# driver: issue 17's faster hit (a value's fields read as single loads, a
# key's hex digits 16 bytes at a time) must leave every key and entry as
# main's build made them, so that a user's cache keeps hitting: a key's text
# against key format 2's when it was made (key format 1's changed once, on
# purpose: key.h), and an entry's digest under a fixed key, plain and with a
# secret, against the values main's build gave; util_hex against the byte loop at every length to 80 and
# alignment, every byte value. Calls $P/unit/hit_format only.
source "$TOP/tests/lib.sh"

"$P/unit/hit_format" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "hit format"; }
grep -qx 'ok (0 failures)' "$T/out" || fail "hit_format driver did not finish"
