#!/usr/bin/env bash
# Symbol versions are respected: a hook on vers_fn (the default, V2) patches
# only slots bound to vers_fn@@V2; a hook on vers_fn@V1 only those bound to V1.
source "$TOP/tests/lib.sh"
G="$P/got"

readelf -r "$G/libgotcall-relro.so" >relocs
grep -q 'vers_fn@V1' relocs || fail "caller has no vers_fn@V1 reference"
grep -q 'vers_fn@V2' relocs || fail "caller has no vers_fn@V2 reference"

"$G/got_unit" "$G" versions >out 2>err
rc=$?
cat out err
[ $rc = 0 ] || fail "got_unit versions"
grep -q '^FAIL' out && fail "a check failed"
expect_eq "$(grep -c '^ok' out)" 7 "checks passed"
