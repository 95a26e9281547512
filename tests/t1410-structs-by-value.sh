#!/usr/bin/env bash
# t1410: structs and complex values by value (issue 15). tests/progs/structs
# returns a 16-byte struct in xmm0:xmm1 (minmax), one in rax:xmm0 (best),
# an 8-byte one in rax (halves), a 24-byte one in the caller's memory
# (summarize, sret), complex values of each size (cpow_n, cf_rot, cl_sq:
# xmm0:xmm1, xmm0, the x87 stack), and takes structs by value in registers
# (span) and on the stack (weigh_one, and widen's 32 bytes holding a long
# double, in memory both ways); libc's div() returns div_t, declared
# by its typedef name in a file read after div.conf. Through the inline
# entry (mechanism auto: the entry keeps the registers of each class) and
# through GOT slots: the first run's output is the unmemoized one, a second
# process is served every call from the folder with the same output. `memo
# config` lists the structs with their layouts.
source "$TOP/tests/lib.sh"

prog="$P/structs/structs_main"
MEMO_DISABLE=1 "$prog" 2 17 >plain.out || fail "plain run"
export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
cat >memo.d/types.conf <<'CONF'
[types]
struct range = { double lo; double hi; }
struct stats3 = { double mean; double var; long n; }
struct pair = { long k; double w; }
struct small = { int a; float b; }
struct sample = { char tag; double w; short k; }
div_t = { int quot; int rem; }
struct wide = { long double x; int n; }
CONF
fns="minmax summarize best halves span weigh_one cpow_n cf_rot cl_sq widen"
note "memo config lists [types]"
conf_function span 'double span(struct range r, double scale)'
"$B/memo" config -c memo.d >config.out 2>&1 || { cat config.out; fail "memo config"; }
grep -qxF "(memo.d/types.conf:2) struct range = {f64,f64}, 16 bytes" config.out &&
	grep -qxF "(memo.d/types.conf:7) div_t = {i32,i32}, 8 bytes" config.out ||
	{ cat config.out; fail "memo config: [types] not listed"; }
for mech in auto got; do
	note "mechanism = $mech"
	conf_function minmax 'struct range minmax(const double x[n], size_t n)' mechanism=$mech
	conf_function summarize 'struct stats3 summarize(const double x[n], size_t n)' mechanism=$mech
	conf_function best 'struct pair best(const double x[n], size_t n)' mechanism=$mech
	conf_function halves 'struct small halves(int a)' mechanism=$mech
	conf_function span 'double span(struct range r, double scale)' mechanism=$mech
	conf_function weigh_one 'double weigh_one(const struct sample s)' mechanism=$mech
	conf_function cpow_n 'double _Complex cpow_n(double _Complex z, int n)' mechanism=$mech
	conf_function cf_rot 'float complex cf_rot(float complex z)' mechanism=$mech
	conf_function cl_sq 'long double _Complex cl_sq(long double _Complex z)' mechanism=$mech
	conf_function widen 'struct wide widen(struct wide w, double f)' mechanism=$mech
	conf_function div 'div_t div(int numer, int denom)' mechanism=got
	rm -rf cache stats.jsonl
	reset_runs
	under_memo "$prog" 2 17 >one.out 2>one.err || { cat one.err; fail "$mech: first run"; }
	! said one.err || { cat one.err; fail "$mech: the first run said something"; }
	same plain.out one.out "$mech: first run"
	for f in $fns; do
		expect_eq "$(stat_of stats.jsonl $f misses)" "$(runs $f)" "$mech: '$f' misses, bodies run"
		[ "$(runs $f)" -gt 0 ] || fail "$mech: '$f' never ran"
	done
	expect_eq "$(stat_of stats.jsonl div calls)" 2 "$mech: div's calls"
	reset_runs
	under_memo "$prog" 2 18 >two.out 2>two.err || { cat two.err; fail "$mech: second run"; }
	! said two.err || { cat two.err; fail "$mech: the second run said something"; }
	same plain.out two.out "$mech: second run"
	for f in $fns; do
		expect_eq "$(runs $f)" 0 "$mech: '$f' bodies run by the second run"
		expect_eq "$(stat_of stats.jsonl $f misses)" 0 "$mech: '$f' misses of the second run"
	done
	expect_eq "$(stat_of stats.jsonl div hits)" 2 "$mech: div's hits"
done
exit 0
