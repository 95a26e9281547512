#!/usr/bin/env bash
# End to end under LD_PRELOAD: a program dlopens a plugin by bare name, found
# only through its own DT_RUNPATH $ORIGIN/plugins. With libmemo the output
# (dlerror() text included) is byte-identical, the plugin's own GOT call to
# got_add is memoized (patched by the pass after the dlopen), and plug_add,
# which exists only in the plugin, is resolved and memoized after the dlopen.
source "$TOP/tests/lib.sh"
# Under ASan the sanitizer's own dlopen interceptor calls glibc, which then
# takes libasan for the caller: RUNPATH/$ORIGIN lookups fail even without
# libmemo, so this test has nothing to say there.
[ "${SAN:-0}" = 1 ] && skip "ASan's dlopen interceptor hides the caller's RUNPATH"
G="$P/got"

readelf -d "$G/gotprog-plugin" | grep -q 'RUNPATH.*\[\$ORIGIN/plugins\]' || fail "program has no RUNPATH \$ORIGIN/plugins"
readelf -d "$G/gotprog-plugin" | grep -q 'NEEDED.*libgotplug' && fail "plugin is linked, not dlopen'ed"

mkdir memo.d
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function got_add 'int got_add(int a, int b)' mechanism=got
export MEMO_CONFIG="$T/memo.d"

reset_runs
MEMO_DISABLE=1 "$G/gotprog-plugin" >plain.out || { cat plain.out; fail "plain run"; }
expect_eq "$(runs got_add)" 2 "plain got_add bodies"

note "got_add hooked: the plugin's slot"
reset_runs
MEMO_LOG=debug under_memo "$G/gotprog-plugin" >first.out 2>first.err || { cat first.out first.err; fail "first run"; }
same plain.out first.out "first run"
grep -q "'got_add': PLT slot .* in '.*/plugins/libgotplug.so' patched" first.err || { cat first.err; fail "plugin slot not patched"; }
expect_eq "$(runs got_add)" 1 "first run: the second call hits"
reset_runs
under_memo "$G/gotprog-plugin" >second.out 2>second.err || fail "second run"
same plain.out second.out "second run"
expect_eq "$(runs got_add)" 0 "second run bodies"

note "plug_add, loaded only by the dlopen"
conf_function plug_add 'int plug_add(int a, int b)'
reset_runs
MEMO_LOG=info under_memo "$G/gotprog-plugin" >third.out 2>third.err || { cat third.err; fail "third run"; }
same plain.out third.out "plug_add run"
grep -q "'plug_add' is not in this process" third.err || { cat third.err; fail "start-up does not report plug_add missing"; }
grep -q "'plug_add' memoized" third.err || { cat third.err; fail "plug_add not activated after the dlopen"; }
expect_eq "$(runs plug_add)" 1 "plug_add bodies (second call hits)"
