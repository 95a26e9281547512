#!/usr/bin/env bash
# t0111: a prototype checked against the debug info (src/find/signature.c,
# src/find/dwarf.c). integrate() of tests/progs/dwarf is built with -g:
#   double integrate(const double *coef, size_t n, double a, double b)
# Each wrong prototype of issue 13 (an argument left out, float for a double
# argument or return, float elements for doubles) is refused at start-up
# with [prototype-mismatch] and one line naming FILE:LINE:COL, the argument
# and both types; the program runs unmemoized, its output byte-identical
# (where the float[] prototype, memoized, served a stale result). The right
# prototype is memoized. The verdict is cached: a second run does not load
# libmemo-dwarf.so. A separate debug file found by .gnu_debuglink serves as
# well; MEMO_STRICT=1 exits 2; `memo check` says the same.
source "$TOP/tests/lib.sh"

prog="$P/dwarf/dwarfprog"
conf_cache dir="$T/cache" stats=off
export MEMO_CONFIG="$T/memo.d"
MEMO_DISABLE=1 "$prog" 0.5 2 1 2 3 >plain-a.out || fail "plain run"
MEMO_DISABLE=1 "$prog" 0.5 2 1 2 4 >plain-b.out || fail "plain run"

# col PROTOTYPE WORDS: the column in `prototype = PROTOTYPE` where WORDS begin
col() { local before=${1%%"$2"*}; echo $((13 + ${#before})); }

# refused PROTOTYPE MESSAGE: both runs unmemoized, said once each
refused() {
	local proto=$1 msg=$2 run
	rm -rf cache
	conf_function integrate "$proto"
	for run in a b; do
		local coef=3; [ $run = b ] && coef=4
		reset_runs
		under_memo "$prog" 0.5 2 1 2 $coef >$run.out 2>$run.err || { cat $run.err; fail "run $run: $proto"; }
		same plain-$run.out $run.out "run $run of '$proto'"
		expect_eq "$(runs integrate)" 2 "bodies run by run $run of '$proto' (unmemoized)"
		grep -qF "[prototype-mismatch]: $T/memo.d/integrate.conf:2:$msg" $run.err ||
			{ cat $run.err; fail "run $run of '$proto': no line '$msg'"; }
		expect_eq "$(grep -c 'prototype-mismatch' $run.err)" 1 "lines about '$proto'"
	done
}

p='double integrate(const double coef[n], size_t n, double a)'
refused "$p" "13: 'integrate' takes 4 arguments in the debug info (const double *coef, size_t n, double a, double b), declared 3"
p='double integrate(const double coef[n], size_t n, double a, float b)'
refused "$p" "$(col "$p" 'float b'): 'b' is double in the debug info, declared float"
p='float integrate(const double coef[n], size_t n, double a, double b)'
refused "$p" "13: 'integrate' returns double in the debug info, declared float"
p='double integrate(const float coef[n], size_t n, double a, double b)'
refused "$p" "$(col "$p" 'const float coef'): 'coef' is const double * in the debug info, declared const float[]: 4-byte elements for 8-byte ones"

note "the verdict is cached: libdw is loaded once"
LD_DEBUG=files under_memo "$prog" 0.5 2 1 2 3 >/dev/null 2>again.err || fail "third run"
grep -q 'prototype-mismatch' again.err || fail "the cached verdict is not said"
! grep -q 'libmemo-dwarf\.so' again.err || fail "libmemo-dwarf.so loaded although the verdict is cached"

note "MEMO_STRICT=1"
MEMO_STRICT=1 under_memo "$prog" 0.5 2 1 2 3 >strict.out 2>strict.err
expect_eq "$?" 2 "exit status under MEMO_STRICT"
grep -q 'MEMO_STRICT' strict.err || { cat strict.err; fail "MEMO_STRICT exit not said"; }

note "memo check"
"$B/memo" check -c memo.d "$P/dwarf/libintegrate.so" >check.out && fail "memo check accepts a wrong prototype"
grep -qF "  memo.d/integrate.conf:2:$(col "$p" 'const float coef'): error [prototype-mismatch]: 'coef' is const double *" check.out ||
	{ cat check.out; fail "memo check's line"; }

note "the right prototype is memoized"
rm -rf cache
conf_function integrate 'double integrate(const double coef[n], size_t n, double a, double b)'
reset_runs
LD_DEBUG=files under_memo "$prog" 0.5 2 1 2 3 >right.out 2>right.err || fail "run with the right prototype"
same plain-a.out right.out "the right prototype"
! grep -q 'prototype-mismatch' right.err || { cat right.err; fail "the right prototype refused"; }
grep -q 'libmemo-dwarf\.so' right.err || fail "libmemo-dwarf.so not loaded to check the first time"
expect_eq "$(runs integrate)" 1 "bodies run, first run"
reset_runs
LD_DEBUG=files under_memo "$prog" 0.5 2 1 2 3 >right2.out 2>right2.err || fail "second run"
same plain-a.out right2.out "the right prototype, second run"
expect_eq "$(runs integrate)" 0 "bodies run, second run"
! grep -q 'libmemo-dwarf\.so' right2.err || fail "libmemo-dwarf.so loaded although the verdict is cached"
"$B/memo" check -c memo.d "$P/dwarf/libintegrate.so" >check.out || { cat check.out; fail "memo check"; }
grep -q '^  prototype agrees with the debug info' check.out || fail "memo check's agreement"

note "a separate debug file (.gnu_debuglink)"
mkdir lib
cp "$P/dwarf/libintegrate.so" lib/
objcopy --only-keep-debug lib/libintegrate.so lib/libintegrate.so.debug || fail "objcopy"
(cd lib && objcopy --strip-debug --add-gnu-debuglink=libintegrate.so.debug libintegrate.so) || fail "strip"
! readelf -S lib/libintegrate.so | grep -q '\.debug_info' || fail "still has debug info"
gcc -O2 -I"$TOP/tests/progs/dwarf" -o prog2 "$TOP/tests/progs/dwarf/integrate_main.c" \
	-Llib -lintegrate -Wl,-rpath,"$T/lib" || fail "build prog2"
"$B/memo" check -c memo.d lib/libintegrate.so >check.out || { cat check.out; fail "memo check, debug file"; }
grep -qF "  prototype agrees with the debug info ($T/lib/libintegrate.so.debug)" check.out ||
	{ cat check.out; fail "the debug file is not the one read"; }
rm -rf cache
p='double integrate(const double coef[n], size_t n, float a, double b)'
conf_function integrate "$p"
reset_runs
under_memo ./prog2 0.5 2 1 2 3 >sep.out 2>sep.err || fail "run with a separate debug file"
same plain-a.out sep.out "separate debug file"
grep -qF "[prototype-mismatch]: $T/memo.d/integrate.conf:2:$(col "$p" 'float a'): 'a' is double in the debug info, declared float" sep.err ||
	{ cat sep.err; fail "refusal through the separate debug file"; }
expect_eq "$(runs integrate)" 2 "bodies run (unmemoized)"
exit 0
