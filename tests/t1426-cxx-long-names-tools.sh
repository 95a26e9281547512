#!/usr/bin/env bash
# t1426: the memo command with t1425's function of a 4,000-character name
# (tests/progs/cxxlong/tall.h): `memo check` finds it, named demangled with
# its parameter list or mangled, and checks its prototype against the debug
# info; `memo stats` shows its row whole; `memo run` counts it found (the
# line each process leaves, src/find/run_report.c, holds the whole name);
# `memo inspect` suggests its section and prototype whole (src/cmd/suggest.c);
# `memo init` writes a config for a function of a 1,029-character mangled
# name, in a file named by a prefix and a hash (a file name has 255 bytes
# at most), which memoizes it; and an error in such a prototype is still
# said at file:line:col, a struct named with its namespace (`struct
# tall::box`) too: a tag is an identifier, as the debug info names a class.
source "$TOP/tests/lib.sh"
command -v g++ >/dev/null || skip "no g++: the C++ test library is not built"
prog="$P/cxxlong/tallprog"
lib="$P/cxxlong/libtall.so"
[ -x "$prog" ] || fail "$prog was not built"

mangled=$(nm -D "$lib" | awk '$3 ~ /energy/ { print $3 }')
tag=tall::a_tag_whose_name_is_long_enough_to_matter
levels=
for n in 01 02 03 04 05 06 07 08 09 10 11; do
	levels+="level_${n}_of_a_namespace_path_long_enough_that_the_function_name_alone_runs_past_a_thousand::"
done
name="tall::${levels}energy"
tags=
for n in $(seq 10 69); do tags+="${tags:+, }$tag<$n>"; done
full="$name(tall::box<$tags> const&, double const*, unsigned long)"
[ "${#full}" -ge 4000 ] || fail "the full name has ${#full} characters"
params='(opaque void *b, const double x[n], unsigned long n)'

conf_cache dir="$T/cache" stats=off
printf '[function %s]\nprototype = double %s%s\n' "$full" "$name" "$params" >memo.d/tall.conf
mkdir m.d
cp memo.d/cache.conf m.d/
printf '[function %s]\nprototype = double %s%s\n' "$mangled" "$mangled" "$params" >m.d/tall.conf

note "memo check, the demangled name and the mangled one"
for d in memo.d m.d; do
	sym=$full
	[ $d = m.d ] && sym=$mangled
	"$B/memo" check -c "$T/$d" "$prog" >check.out 2>&1 || { head -c 3000 check.out; fail "memo check $d"; }
	grep -qxF "$sym: found in $lib, a library $prog loads" check.out ||
		{ head -c 3000 check.out; fail "memo check $d: not found, or not named whole"; }
	grep -qxF "  prototype agrees with the debug info ($lib)" check.out ||
		{ head -c 3000 check.out; fail "memo check $d: the prototype is not checked"; }
	grep -qxF "$T/$d: 1 function, 0 not found" check.out || { head -c 3000 check.out; fail "memo check $d: summary"; }
done

note "memo run: found by the process, so no summary; memo stats: its row"
"$B/memo" run -c "$T/memo.d" -- "$prog" 2 >run.out 2>run.err || { head -c 3000 run.err; fail "memo run"; }
MEMO_DISABLE=1 "$prog" 2 >plain.out || fail "plain run"
same plain.out run.out "memo run"
[ ! -s run.err ] || { head -c 3000 run.err; fail "memo run said something"; }
"$B/memo" stats -c "$T/memo.d" >stats.out 2>&1 || { head -c 3000 stats.out; fail "memo stats"; }
grep -A1 -xF "  $full" stats.out | tail -n 1 | grep -qE "^ +1 +[0-9]+ +[0-9.]+[KMG]? +2 +1 +1 " ||
	{ head -c 6000 stats.out; fail "memo stats: no row for the whole name (1 entry, 2 calls, 1 hit, 1 miss)"; }

note "memo inspect: the section and the prototype, whole"
"$B/memo" inspect "$lib" "$mangled" >inspect.out 2>&1 || { head -c 3000 inspect.out; fail "memo inspect"; }
grep -qxF "    [function $name]" inspect.out || { head -c 6000 inspect.out; fail "memo inspect: section"; }
grep -qF "    prototype = double $name(" inspect.out || { head -c 6000 inspect.out; fail "memo inspect: prototype"; }

note "memo init: a file named by a prefix and a hash, which memoizes"
summ=$(nm -D "$lib" | awk '$3 ~ /3sum/ { print $3 }')
[ "${#summ}" -ge 1000 ] || fail "sum's mangled name has ${#summ} characters"
"$B/memo" init "$lib" "$summ" -o i.d >init.out 2>&1 || { head -c 3000 init.out; fail "memo init"; }
written=$(ls i.d)
[[ $written =~ ^${summ:0:100}-[0-9a-f]{16}\.conf$ ]] || fail "memo init wrote '$written'"
sed -i '/^; CONFIRM/d' "i.d/$written"
cp memo.d/cache.conf i.d/
reset_runs
for run in i1 i2; do
	MEMO_CONFIG=i.d under_memo "$prog" 2 >$run.out 2>$run.err || { head -c 3000 $run.err; fail "memo init's config, $run"; }
	same plain.out $run.out "memo init's config, $run"
done
expect_eq "$(runs tall_sum)" 1 "memo init's config: one miss over two processes"

note "an error in the prototype of such a name: file:line:col"
mkdir e.d
line="prototype = double $name(opaque void *b, const doubel x[n], unsigned long n)"
printf '[function %s]\n%s\n' "$full" "$line" >e.d/bad.conf
before=${line%%const doubel*}
col=$((${#before} + 1))
"$B/memo" check -c e.d "$prog" >e.out 2>&1 && { head -c 3000 e.out; fail "a bad prototype passed memo check"; }
grep -qF "libmemo: error: e.d/bad.conf:2:$col: unknown type 'doubel' of parameter 'x'" e.out ||
	{ head -c 3000 e.out; fail "the error is not at e.d/bad.conf:2:$col"; }
MEMO_CONFIG=e.d under_memo "$prog" 2 >e2.out 2>e2.err || { head -c 3000 e2.err; fail "the program under the bad config"; }
same plain.out e2.out "under the bad config: the program's own output"
grep -qF "libmemo: error: e.d/bad.conf:2:$col: unknown type 'doubel'" e2.err ||
	{ head -c 3000 e2.err; fail "libmemo.so: the error is not at e.d/bad.conf:2:$col"; }

note "a struct named with its namespace: told to write it as the debug info does"
mkdir s.d
line="prototype = double $name(const struct tall::box *b, const double x[n], unsigned long n)"
printf '[function %s]\n%s\n' "$full" "$line" >s.d/bad.conf
before=${line%%box *}
col=$((${#before} - 5))	# at 'tall'
"$B/memo" check -c s.d "$prog" >s.out 2>&1 && { head -c 3000 s.out; fail "a qualified struct passed memo check"; }
grep -qF "libmemo: error: s.d/bad.conf:2:$col: write the struct's name without its namespace ('struct box'" s.out ||
	{ head -c 3000 s.out; fail "the qualified struct is not told at s.d/bad.conf:2:$col"; }
exit 0
