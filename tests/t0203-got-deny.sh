#!/usr/bin/env bash
# Symbols libmemo itself needs are refused by name ([denied]); a missing
# symbol (or version, or one outside the named object) is refused [not-found]
# and left unresolved; a found one gets its ELF path and load bias.
source "$TOP/tests/lib.sh"
G="$P/got"

"$G/got_unit" "$G" deny >out 2>err
rc=$?
cat out err
[ $rc = 0 ] || fail "got_unit deny"
grep -q '^FAIL' out && fail "a check failed"
grep -qF "'malloc': refused [denied]" out || fail "malloc's refusal"
expect_eq "$(grep -c '^ok' out)" 13 "checks passed"
