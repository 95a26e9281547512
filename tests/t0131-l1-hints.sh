#!/usr/bin/env bash
# Owns: l1's hints (src/call/l1_slot.h), through their unit driver: a probe
# of a call the in-process table does not hold reads the 8 KiB hint array,
# not a slot of the 2 MiB table, which was a memory access on every remote
# hit and every miss (issue 17); what is put is found whole, and a slot put
# over for another call answers for that call only.
source "$TOP/tests/lib.sh"

"$P/unit/l1_hint" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "l1 hints"; }
cat "$T/out"
grep -qx 'ok (0 failures)' "$T/out" || fail "l1_hint driver did not finish"
