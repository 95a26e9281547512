#!/usr/bin/env bash
# t1413: struct and complex prototypes checked against the debug info
# (src/find/signature.c, src/find/dwarf.c). tests/progs/structs is built
# with -g: every right prototype of t1410 agrees (memo check); a struct
# declared with its fields in another order, another field type, another
# size, or a complex declared as a double, is refused at start-up with
# [prototype-mismatch] and FILE:LINE:COL, and the program runs unmemoized,
# its output byte-identical.
source "$TOP/tests/lib.sh"

prog="$P/structs/structs_main"
lib="$P/structs/libstructs.so"
MEMO_DISABLE=1 "$prog" 1 5 >plain.out || fail "plain run"
export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off

# types DECLARATIONS...: memo.d/types.conf
types() { mkdir -p memo.d; { echo '[types]'; printf '%s\n' "$@"; } >memo.d/types.conf; }

note "right prototypes agree"
types 'struct range = { double lo; double hi; }' 'struct pair = { long k; double w; }' \
	'struct sample = { char tag; double w; short k; }' 'struct wide = { long double x; int n; }'
conf_function best 'struct pair best(const double x[n], size_t n)'
conf_function span 'double span(struct range r, double scale)'
conf_function weigh 'double weigh(const struct sample s[n], size_t n)'
conf_function widen 'struct wide widen(struct wide w, double f)'
conf_function cpow_n 'double _Complex cpow_n(double _Complex z, int n)'
conf_function cl_sq 'long double complex cl_sq(long double complex z)'
"$B/memo" check -c memo.d "$lib" >check.out 2>&1 || { cat check.out; fail "memo check"; }
expect_eq "$(grep -c 'prototype agrees with the debug info' check.out)" 6 "prototypes that agree"
reset_runs
under_memo "$prog" 1 5 >ok.out 2>ok.err || { cat ok.err; fail "run"; }
! said ok.err || { cat ok.err; fail "the run said something"; }
same plain.out ok.out "right prototypes"
rm memo.d/*.conf
conf_cache dir="$T/cache" stats=off

# refused FUNCTION PROTOTYPE MESSAGE: said at start-up, the function unmemoized
refused() {
	local fn=$1 proto=$2 msg=$3
	rm -rf cache "$XDG_CACHE_HOME" memo.d/[a-su-z]*.conf
	conf_function "$fn" "$proto"
	reset_runs
	under_memo "$prog" 1 5 >bad.out 2>bad.err || { cat bad.err; fail "run of '$proto'"; }
	same plain.out bad.out "'$proto'"
	grep -qF "[prototype-mismatch]: $T/memo.d/$fn.conf:2:$msg" bad.err ||
		{ cat bad.err; fail "'$proto': no line '$msg'"; }
	[ "$(runs "$fn")" -gt 0 ] || fail "'$proto': never ran"
	"$B/memo" check -c memo.d "$lib" >check.out 2>&1 && { cat check.out; fail "memo check accepted '$proto'"; }
	grep -qF "$fn.conf:2:${msg%%: *}: error [prototype-mismatch]: ${msg#*: }" check.out ||
		{ cat check.out; fail "memo check: '$proto' not said"; }
}

types 'struct pair = { double w; long k; }'
refused best 'struct pair best(const double x[n], size_t n)' \
	"13: 'best' returns struct pair in the debug info, declared struct pair: at byte 0, the field's type differs"
types 'struct sample = { char tag; double w; int k; }'
refused weigh 'double weigh(const struct sample s[n], size_t n)' \
	"26: 's' is const struct sample * in the debug info, declared const struct sample[]: at byte 16, the field's type differs"
types 'struct range = { float lo; float hi; }'
refused span 'double span(struct range r, double scale)' \
	"25: 'r' is struct range in the debug info, declared struct range"
types 'struct wide = { long double x; int n; int m; }'
refused widen 'struct wide widen(struct wide w, double f)' \
	"31: 'w' is struct wide in the debug info, declared struct wide: at byte 20, a field the debug info lacks"
refused cpow_n 'double cpow_n(double _Complex z, int n)' \
	"13: 'cpow_n' returns complex double in the debug info, declared double"
refused cpow_n 'double _Complex cpow_n(float _Complex z, int n)' \
	"36: 'z' is complex double in the debug info, declared float _Complex"
exit 0
