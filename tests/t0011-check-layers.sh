# Owns: the layering check (tools/check-layers, run by `make check-layers`
# and `make test`): the real build passes it, and it fails, naming the call,
# when a lower layer's file is made to call an upper one, when a lower
# layer's file includes an upper one's header, and when two files of one
# layer call each other.
source "$TOP/tests/lib.sh"

"$TOP/tools/check-layers" "$B" "$TOP/src" >real.out ||
	{ cat real.out; fail "the build breaks its own layering"; }

# copy_objects DIR: the build's objects, as check-layers reads them
copy_objects() { mkdir -p "$1" && cp -r "$B/src" "$1/"; }

# base/ made to call the call path's handler (call/)
copy_objects up
cat >bad.c <<'C'
void call_closure(void *cif, void *ret, void **args, void *data);
void base_bad(void) { call_closure(0, 0, 0, 0); }
C
cc -c -o up/src/base/bad.o bad.c || fail "compiling the offending object"
if "$TOP/tools/check-layers" up "$TOP/src" >up.out; then
	cat up.out; fail "a call from base/ up into call/ passed"
fi
grep -q "base/bad calls up into call/call: 'call_closure'" up.out ||
	{ cat up.out; fail "the upward call is not named"; }

# two files of one layer calling each other
copy_objects loop
printf 'void loop_b(void);\nvoid loop_a(void) { loop_b(); }\n' >a.c
printf 'void loop_a(void);\nvoid loop_b(void) { loop_a(); }\n' >b.c
cc -c -o loop/src/store/loop_a.o a.c && cc -c -o loop/src/store/loop_b.o b.c ||
	fail "compiling the looping objects"
if "$TOP/tools/check-layers" loop "$TOP/src" >loop.out; then
	cat loop.out; fail "a cycle between two files passed"
fi
grep -q "cycle: store/loop_a store/loop_b" loop.out || { cat loop.out; fail "the cycle is not named"; }

# a header of an upper layer included from a lower one
mkdir -p inc/src && cp -r "$TOP/src/." inc/src/
printf '#include "call/runtime.h"\n' >>inc/src/base/log.c
if "$TOP/tools/check-layers" "$B" inc/src >inc.out; then
	cat inc.out; fail "an upward include passed"
fi
grep -q "base/log.c includes call/runtime.h" inc.out || { cat inc.out; fail "the include is not named"; }
exit 0
