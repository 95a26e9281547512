#!/usr/bin/env bash
# t1303: pointers the key does not follow. tests/progs/dwarf's stream_sum()
# reads through a struct pointer, apply() calls through a function pointer,
# tagged() only passes its context on. Declared `opaque`, the first two are
# named by `memo check` and `memo inspect` (src/find/signature.c: the debug
# info shows a pointer to a complete struct and a function pointer), as is
# the `std::vector<double> const &` of tests/progs/dwarf/vec.cc; tagged's
# `void *ctx` stays quiet. Under `verify = 1`, a hit whose recomputation
# differs names the opaque argument as the likely cause
# (src/call/verify.c), and the output is the program's own.
source "$TOP/tests/lib.sh"

prog="$P/dwarf/dwarfprog"
lib="$P/dwarf/libintegrate.so"
conf_cache dir="$T/cache" stats=off
conf_function stream_sum 'double stream_sum(opaque void *s)' verify=1
conf_function apply 'double apply(opaque void *f, double x)'
conf_function tagged 'double tagged(opaque void *ctx, double x)'
export MEMO_CONFIG="$T/memo.d"

note "memo check"
"$B/memo" check -c memo.d "$lib" >check.out || { cat check.out; fail "memo check"; }
grep -qF "  memo.d/stream_sum.conf:2:31: warning: argument 's' is opaque, but 'stream_sum' reads through it (struct stream * in the debug info): calls that differ only in what it points to share one result" check.out ||
	{ cat check.out; fail "stream_sum's 's' not named"; }
grep -qF "warning: argument 'f' is opaque, but 'apply' reads through it (a function pointer in the debug info)" check.out ||
	{ cat check.out; fail "apply's 'f' not named"; }
! grep -q "'ctx'" check.out || { cat check.out; fail "tagged's 'ctx', only passed on, named"; }

note "a C++ reference to a class"
mkdir vec.d
printf '[function _Z4vsumRKSt6vectorIdSaIdEE]\nprototype = double _Z4vsumRKSt6vectorIdSaIdEE(opaque void *v)\n' >vec.d/vsum.conf
"$B/memo" check -c vec.d "$P/dwarf/libvec.so" >vec.out || { cat vec.out; fail "memo check, C++"; }
grep -qF "warning: argument 'v' is opaque, but '_Z4vsumRKSt6vectorIdSaIdEE' reads through it (const vector<double, std::allocator<double> > & in the debug info)" vec.out ||
	{ cat vec.out; fail "the vector reference not named"; }

note "memo inspect"
"$B/memo" inspect "$lib" stream_sum >inspect.out || fail "memo inspect"
grep -qF "argument 's' is opaque, but 'stream_sum' reads through it" inspect.out ||
	{ cat inspect.out; fail "inspect does not name 's'"; }
"$B/memo" inspect "$lib" tagged >inspect.out || fail "memo inspect tagged"
! grep -q "reads through" inspect.out || { cat inspect.out; fail "inspect names tagged's 'ctx'"; }

note "verify names the likely cause"
MEMO_DISABLE=1 "$prog" 1 2 1 2 3 >plain1.out || fail "plain run"
MEMO_DISABLE=1 "$prog" 2 2 1 2 3 >plain2.out || fail "plain run"
under_memo "$prog" 1 2 1 2 3 >one.out 2>one.err || fail "first run"
same plain1.out one.out "first run"
under_memo "$prog" 2 2 1 2 3 >two.out 2>two.err || fail "second run"
same plain2.out two.out "second run: verify returns the fresh result"
grep -q "'stream_sum' is not pure: .*the likely cause: the key does not follow the opaque argument(s) 's'" two.err ||
	{ cat two.err; fail "the mismatch does not name 's'"; }
exit 0
