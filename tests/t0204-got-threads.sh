#!/usr/bin/env bash
# Four threads dlopen and dlclose plugins through the dlopen thunk at once
# while two threads call a hooked function: no crash, every result right,
# every call through a patched slot counted exactly once.
source "$TOP/tests/lib.sh"
# Under ASan the sanitizer's own dlopen interceptor calls glibc, which then
# takes libasan for the caller: RUNPATH/$ORIGIN lookups fail even without
# libmemo, so this test has nothing to say there.
[ "${SAN:-0}" = 1 ] && skip "ASan's dlopen interceptor hides the caller's RUNPATH"
G="$P/got"

for i in 1 2 3; do
	"$G/got_unit" "$G" threads >out 2>err
	rc=$?
	cat out err
	[ $rc = 0 ] || fail "got_unit threads (round $i, exit $rc)"
	grep -q '^FAIL' out && fail "a check failed"
done
true
