#!/usr/bin/env bash
# t1425: a C++ function whose name has no length limit to speak of
# (tests/progs/cxxlong/tall.h): its qualified name alone is over 1,100
# characters, demangled with its parameter list over 4,000, mangled over
# 1,800. Named either way in a config (the section's line and the
# prototype's as long as the name: src/config/config.c reads lines of any
# length, src/config/strpool.c keeps the names), it is found (the
# demangler told it may: src/find/cxx_name.c), memoized, and its stats
# row bears its whole name. Outputs are the unmemoized run's, byte for byte.
source "$TOP/tests/lib.sh"
command -v g++ >/dev/null || skip "no g++: the C++ test library is not built"
prog="$P/cxxlong/tallprog"
lib="$P/cxxlong/libtall.so"
[ -x "$prog" ] || fail "$prog was not built"

mangled=$(nm -D "$lib" | awk '$3 ~ /energy/ { print $3 }')
[ "${#mangled}" -ge 1800 ] || fail "the mangled name has ${#mangled} characters"
# as g++ prints it (c++filt refuses a name this long): the parameter list
# is spelled out from tall.h's 60 tags
tag=tall::a_tag_whose_name_is_long_enough_to_matter
levels=
for n in 01 02 03 04 05 06 07 08 09 10 11; do
	levels+="level_${n}_of_a_namespace_path_long_enough_that_the_function_name_alone_runs_past_a_thousand::"
done
name="tall::${levels}energy"
tags=
for n in $(seq 10 69); do tags+="${tags:+, }$tag<$n>"; done
full="$name(tall::box<$tags> const&, double const*, unsigned long)"
[ "${#name}" -ge 1024 ] || fail "the qualified name has ${#name} characters"
[ "${#full}" -ge 4000 ] || fail "the full name has ${#full} characters"

conf_cache dir="$T/cache" stats="$T/stats.jsonl"
printf '[function %s]\nprototype = double %s(opaque void *b, const double x[n], unsigned long n)\n' \
	"$full" "$name" >memo.d/tall.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$prog" 2 >plain.out || fail "plain run"
reset_runs
for run in one two; do
	under_memo "$prog" 2 >$run.out 2>$run.err || { cat $run.err; fail "$run run"; }
	same plain.out $run.out "demangled: $run run"
	! grep -q "error\|not found\|cannot be memoized" $run.err || { cat $run.err; fail "$run run: refused"; }
done
expect_eq "$(runs tall_energy)" 1 "demangled: one miss over two processes, then hits"
expect_eq "$(stat_of stats.jsonl "$full" hits)" 2 "the stats row, by the whole name"
MEMO_DISABLE=1 "$prog" 3 >plain3.out || fail "plain run, seed 3"
under_memo "$prog" 3 >three.out 2>three.err || { cat three.err; fail "seed 3"; }
same plain3.out three.out "seed 3: other arguments, no wrong hit"

note "the stats table at exit: the whole name on its line"
MEMO_STATS=stderr under_memo "$prog" 2 >tab.out 2>tab.err || { cat tab.err; fail "stats run"; }
grep -qxF "  $full" tab.err || { head -c 2000 tab.err; fail "the table's row does not name the function whole"; }

note "named mangled (${#mangled} characters)"
mkdir m.d
cp memo.d/cache.conf m.d/
printf '[function %s]\nprototype = double %s(opaque void *b, const double x[n], unsigned long n)\n' \
	"$mangled" "$mangled" >m.d/tall.conf
reset_runs
for run in m1 m2; do
	MEMO_CONFIG="$T/m.d" under_memo "$prog" 4 >$run.out 2>$run.err || { cat $run.err; fail "mangled, $run"; }
done
MEMO_DISABLE=1 "$prog" 4 >plain4.out || fail "plain run, seed 4"
expect_eq "$(runs tall_energy)" 3 "mangled: one miss over two processes (and 2 plain calls)"
same plain4.out m1.out "mangled, first run"
same plain4.out m2.out "mangled, second run"
expect_eq "$(stat_of stats.jsonl "$mangled" hits)" 2 "the mangled name's stats row"

note "memo report: each name's runs under that name (src/cmd/cmd_report.c)"
"$B/memo" report -c "$T/memo.d" -o report.html >report.out 2>report.err || { cat report.err; fail "memo report"; }
runs_kept=$(wc -l <stats.jsonl)
grep -qx "wrote 'report.html': 2 functions, $runs_kept runs" report.out ||
	{ cat report.out; fail "memo report: not the two names (demangled and mangled)"; }
exit 0
