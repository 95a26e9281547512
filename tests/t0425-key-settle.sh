#!/usr/bin/env bash
# Owns: key_state_settle (src/store/key.c), through its unit driver: a key's
# prefix state and a keyed check's start with their first pending block
# compressed once (issue 17: a remote hit made two compressions for its key
# where one will do) give the digests of the bytes hashed at once, for every
# prefix length; and they are settled wherever a block is pending.
source "$TOP/tests/lib.sh"

"$P/unit/key_settle" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "key_state_settle"; }
cat "$T/out"
grep -qx 'ok (0 failures, [1-9][0-9]* states settled)' "$T/out" || fail "key_settle driver did not finish"
