#!/usr/bin/env bash
# t1420: C++ functions named as people write them (src/find/cxx_name.c,
# found by src/find/symbols.c): a namespaced function, each of an overload
# pair picked by its parameter list (the bare name, which fits both, is
# refused [ambiguous] and lists them), a member function whose `this` is
# `opaque void *self`, and a function whose mangled name has 136
# characters, named demangled and mangled. Each run's output is the
# unmemoized one; a second process runs none of the memoized bodies.
source "$TOP/tests/lib.sh"
command -v g++ >/dev/null || skip "no g++: the C++ test library is not built"
prog="$P/cxx/cxxprog"
[ -x "$prog" ] || fail "$prog was not built"

deep=model::very_long_namespace_for_memoization_tests::another_deeply_nested_namespace_level::accumulate_weighted_samples_over_grid
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
section() {	# FILE NAME PROTOTYPE: one [function] section, written by hand
	printf '[function %s]\nprototype = %s\n' "$2" "$3" >"memo.d/$1.conf"
}
section spectral model::spectral_energy_raw \
	'double model::spectral_energy_raw(const double x[n], unsigned long n)'
section energy_ptr 'model::energy(double const*, unsigned long)' \
	'double model::energy(const double x[n], unsigned long n)'
section energy_vec 'model::energy(std::vector<double, std::allocator<double> >const &)' \
	'double model::energy(const std::vector<double> &v)'
section cell model::Grid::cell 'double model::Grid::cell(opaque void *self, int i)'
section deep "$deep" "double $deep(const double x[n], unsigned long n, int power)"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$prog" 2 >plain.out || fail "plain run"
reset_runs
under_memo "$prog" 2 >one.out 2>one.err || { cat one.err; fail "first run"; }
same plain.out one.out "first run"
! grep -q "cannot be memoized\|not found\|error" one.err || { cat one.err; fail "a function refused"; }
expect_eq "$(runs spectral_energy_raw)" 1 "spectral_energy_raw: one miss, then hits"
expect_eq "$(runs energy_ptr)" 1 "energy(double const*, unsigned long): one miss"
expect_eq "$(runs cell)" 1 "Grid::cell: one miss"
expect_eq "$(runs accumulate)" 1 "the long name: one miss"
reset_runs
under_memo "$prog" 2 >two.out 2>two.err || { cat two.err; fail "second run"; }
same plain.out two.out "second run"
for f in spectral_energy_raw energy_ptr energy_vec cell accumulate; do
	expect_eq "$(runs $f)" 0 "second run: $f served from the cache"
done
expect_eq "$(stat_of stats.jsonl "$deep" hits)" 2 "the long name's hits, by its name"
MEMO_DISABLE=1 "$prog" 3 >plain3.out || fail "plain run, seed 3"
under_memo "$prog" 3 >three.out 2>three.err || { cat three.err; fail "seed 3"; }
same plain3.out three.out "seed 3: other arguments, no wrong hit"

note "the stats table: a long name on a line of its own (src/base/stats.c)"
MEMO_STATS=stderr under_memo "$prog" 2 >tab.out 2>tab.err || { cat tab.err; fail "stats run"; }
grep -A1 -x "  model::energy(double const\*, unsigned long)" tab.err | tail -n 1 |
	grep -qE "^ {22,} +2 +2 +0 " || { cat tab.err; fail "the counters are not under their columns"; }

note "the mangled name, 136 characters"
mangled=$(nm -D "$P/cxx/libmodel.so" | grep -o '_Z[^ ]*accumulate_weighted[^ ]*')
[ "${#mangled}" -ge 120 ] || fail "the mangled name has ${#mangled} characters"
mkdir m.d
cp memo.d/cache.conf m.d/
printf '[function %s]\nprototype = double %s(const double x[n], unsigned long n, int power)\n' \
	"$mangled" "$mangled" >m.d/deep.conf
reset_runs
MEMO_CONFIG="$T/m.d" under_memo "$prog" 4 >m1.out 2>m1.err || { cat m1.err; fail "mangled, first"; }
MEMO_CONFIG="$T/m.d" under_memo "$prog" 4 >m2.out 2>m2.err || { cat m2.err; fail "mangled, second"; }
MEMO_DISABLE=1 "$prog" 4 >plain4.out || fail "plain run, seed 4"
expect_eq "$(runs accumulate)" 3 "mangled: one miss over two processes (and 2 plain calls)"
same plain4.out m1.out "mangled, first run"
same plain4.out m2.out "mangled, second run"

note "stripped: the program and library without .symtab"
# Only .dynsym names the functions, and no object has a symbol table or
# calls dlopen: libmemo.so starts the engine because libstdc++ is loaded
# (src/boot/preload.c), and the mangled name is found in .dynsym.
mkdir stripped
cp "$prog" "$P/cxx/libmodel.so" stripped/
strip stripped/cxxprog stripped/libmodel.so || fail "strip"
reset_runs
for run in s1 s2; do
	LD_LIBRARY_PATH="$T/stripped" MEMO_LOG=info under_memo stripped/cxxprog 2 >$run.out 2>$run.err ||
		{ cat $run.err; fail "stripped, $run"; }
	same plain.out $run.out "stripped, $run"
done
grep -qF "'model::spectral_energy_raw' memoized ($T/stripped/libmodel.so)" s1.err ||
	{ cat s1.err; fail "stripped: not memoized from the stripped library"; }
expect_eq "$(runs spectral_energy_raw)" 0 "stripped: served from the cache of the first runs"

note "mechanism = got: a name written demangled, its calls' GOT slots found by the mangled one"
mkdir g.d
cp memo.d/cache.conf g.d/
printf '[function model::spectral_energy_raw]\nprototype = double model::spectral_energy_raw(const double x[n], unsigned long n)\nmechanism = got\n' >g.d/s.conf
rm -f stats.jsonl
reset_runs
for run in g1 g2; do
	MEMO_CONFIG="$T/g.d" under_memo "$prog" 5 >$run.out 2>$run.err || { cat $run.err; fail "got, $run"; }
done
MEMO_DISABLE=1 "$prog" 5 >plain5.out || fail "plain run, seed 5"
same plain5.out g1.out "got, first run"
same plain5.out g2.out "got, second run"
expect_eq "$(stat_sum stats.jsonl model::spectral_energy_raw calls)" 4 "got: calls caught through the GOT"
expect_eq "$(stat_sum stats.jsonl model::spectral_energy_raw hits)" 3 "got: hits"

note "an overloaded name without its parameter list"
mkdir o.d
cp memo.d/cache.conf o.d/
printf '[function model::energy]\nprototype = double model::energy(const std::vector<double> &v)\n' >o.d/e.conf
MEMO_CONFIG=o.d under_memo "$prog" 2 >o.out 2>o.err || { cat o.err; fail "ambiguous run"; }
same plain.out o.out "ambiguous: the program's own output"
grep -q "'model::energy' (o.d/e.conf:1) cannot be memoized \[ambiguous\]" o.err ||
	{ cat o.err; fail "the overloads are not refused [ambiguous]"; }
grep -qF "model::energy(double const*, unsigned long)" o.err ||
	{ cat o.err; fail "the refusal does not list the overloads"; }
exit 0
