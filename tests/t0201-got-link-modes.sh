#!/usr/bin/env bash
# GOT patching reaches the hook from a library linked with lazy PLT binding,
# full RELRO and -fno-plt (GLOB_DAT), and from a plugin dlopen'ed later by
# bare name through its caller's DT_RUNPATH $ORIGIN/plugins (got_unit variants).
source "$TOP/tests/lib.sh"
# Under ASan the sanitizer's own dlopen interceptor calls glibc, which then
# takes libasan for the caller: RUNPATH/$ORIGIN lookups fail even without
# libmemo, so this test has nothing to say there.
[ "${SAN:-0}" = 1 ] && skip "ASan's dlopen interceptor hides the caller's RUNPATH"
G="$P/got"

# the link modes are what the test claims they are
readelf -d "$G/libgotcall-lazy.so" | grep -q BIND_NOW && fail "lazy library binds now"
readelf -d "$G/libgotcall-lazy.so" | grep -q 'RUNPATH.*\$ORIGIN/plugins' || fail "lazy library has no RUNPATH"
readelf -d "$G/libgotcall-relro.so" | grep -q 'FLAGS.*BIND_NOW' || fail "relro library is not BIND_NOW"
readelf -l "$G/libgotcall-relro.so" | grep -q GNU_RELRO || fail "relro library has no GNU_RELRO"
readelf -r "$G/libgotcall-noplt.so" | grep -q 'R_X86_64_GLOB_DAT.*got_add' || fail "-fno-plt call is not GLOB_DAT"
readelf -r "$G/libgotcall-noplt.so" | grep -q 'R_X86_64_JUMP_SLO.*got_add' && fail "-fno-plt library has a PLT slot"
readelf -r "$G/libgotcall-lazy.so" | grep -q 'R_X86_64_JUMP_SLO.*got_add' || fail "lazy library has no PLT slot"

unset LD_BIND_NOW
MEMO_LOG=debug "$G/got_unit" "$G" variants >out 2>err
rc=$?
cat out err
[ $rc = 0 ] || fail "got_unit variants"
grep -q '^FAIL' out && fail "a check failed"
expect_eq "$(grep -c '^ok' out)" 15 "checks passed"
# the lazy library and the plugin were patched before their first call bound them
grep -q "'got_add': PLT slot .* in '.*libgotcall-lazy.so' patched (lazy, not bound yet)" err ||
	fail "lazy slot not patched as lazy"
grep -q "'got_add': PLT slot .* in '.*plugins/libgotplug.so' patched (lazy, not bound yet)" err ||
	fail "plugin slot not patched after its dlopen"
grep -q "'got_add': GOT slot .* in '.*libgotcall-noplt.so' patched" err || fail "GLOB_DAT slot not patched"
grep -q "'dlopen': .* slot .* in '.*libgotcall-lazy.so' patched" err || fail "dlopen slot not patched"
