#!/usr/bin/env bash
# t1421: `const std::vector<T> &v` and `const std::string &s` are inputs
# keyed by their contents (src/store/cxx_layout.c reads libstdc++'s
# layouts; src/store/key.c and src/call/l1.c hash what it finds): strings
# short enough for libstdc++'s local buffer and longer ones, empty ones, a
# vector<long> with a string, and a vector changed in place between two
# calls (same address, same size: a key that followed the address would
# serve a wrong result). Outputs are the unmemoized ones in every run; a
# second process runs no body. A spelling the language does not take is a
# config error at its column.
source "$TOP/tests/lib.sh"
command -v g++ >/dev/null || skip "no g++: the C++ test library is not built"
prog="$P/cxx/cxxprog"
[ -x "$prog" ] || fail "$prog was not built"

conf_cache dir="$T/cache" stats=off
printf '[function model::energy(std::vector<double, std::allocator<double> > const&)]\nprototype = double model::energy(const std::vector<double> &v)\n' >memo.d/ev.conf
printf '[function model::weigh]\nprototype = double model::weigh(std::string const &label, double w)\n' >memo.d/weigh.conf
printf '[function model::count_long]\nprototype = long model::count_long(const std::vector<long> &v, const std::string &tag)\n' >memo.d/cl.conf
export MEMO_CONFIG="$T/memo.d"

for seed in 1 2 3; do
	MEMO_DISABLE=1 "$prog" $seed >plain$seed.out || fail "plain run, seed $seed"
done
reset_runs
for seed in 1 2 3; do
	under_memo "$prog" $seed >one$seed.out 2>one$seed.err || { cat one$seed.err; fail "seed $seed"; }
	same plain$seed.out one$seed.out "seed $seed, first run"
done
! grep -q "cannot be memoized\|not found\|error" one1.err || { cat one1.err; fail "a function refused"; }
# per seed: energy(v) and energy(changed), and energy(empty) once in all;
# weigh(label) per seed, weigh("") once
expect_eq "$(runs energy_vec)" 7 "energy(vec): 2 vectors a seed and one empty one, the rest hits"
expect_eq "$(runs weigh)" 4 "weigh: a label a seed and the empty string once"
expect_eq "$(runs count_long)" 3 "count_long: once a seed"
reset_runs
for seed in 1 2 3; do
	under_memo "$prog" $seed >two$seed.out 2>two$seed.err || { cat two$seed.err; fail "seed $seed again"; }
	same plain$seed.out two$seed.out "seed $seed, second run"
done
expect_eq "$(runs energy_vec)$(runs weigh)$(runs count_long)" 000 "second runs: every call a hit"

note "a std::string of the old ABI (src/find/cxx_name.c): refused, never misread"
# Both the new layout's length and its data would be misread from the old
# one-pointer string; the mangled name says which ABI the function takes.
mkdir old.d
cp memo.d/cache.conf old.d/
printf '[function model_old::weigh]\nprototype = double model_old::weigh(const std::string &label)\n' >old.d/w.conf
MEMO_DISABLE=1 "$P/cxx/oldabi" >oldplain.out || fail "old ABI, plain run"
for run in o1 o2; do
	MEMO_CONFIG=old.d under_memo "$P/cxx/oldabi" >$run.out 2>$run.err || { cat $run.err; fail "old ABI, $run"; }
	same oldplain.out $run.out "old ABI, $run"
done
grep -q "'model_old::weigh' (old.d/w.conf:1) cannot be memoized \[prototype-mismatch\]: 'label' is declared const std::string &" o1.err ||
	{ cat o1.err; fail "the old ABI's string is not refused"; }

note "a vector declared over a pointer, no debug info: refused from the mangled name"
mkdir nv.d stripped
cp memo.d/cache.conf nv.d/
cp "$prog" "$P/cxx/libmodel.so" stripped/
strip stripped/libmodel.so || fail "strip"
printf '[function model::spectral_energy_raw]\nprototype = double model::spectral_energy_raw(const std::vector<double> &x, unsigned long n)\n' >nv.d/s.conf
LD_LIBRARY_PATH="$T/stripped" MEMO_CONFIG=nv.d under_memo stripped/cxxprog 1 >nv.out 2>nv.err ||
	{ cat nv.err; fail "vector over a pointer: the program failed"; }
same plain1.out nv.out "vector over a pointer"
grep -q "cannot be memoized \[prototype-mismatch\]: 'x' is declared const std::vector<T> &" nv.err ||
	{ cat nv.err; fail "a vector over a pointer is not refused"; }

note "spellings refused"
mkdir bad.d
printf '[function model::energy(std::vector<double, std::allocator<double> > const&)]\nprototype = double model::energy(std::vector<double> &v)\n' >bad.d/a.conf
printf '[function model::weigh]\nprototype = double model::weigh(const std::vector<bool> &flags, double w)\n' >bad.d/b.conf
MEMO_CONFIG=bad.d under_memo "$prog" 1 >bad.out 2>bad.err || { cat bad.err; fail "bad config run"; }
same plain1.out bad.out "a bad config: the program's own output"
grep -qF "bad.d/a.conf:2:54: a C++ vector is an input only as a const reference" bad.err ||
	{ cat bad.err; fail "a non-const vector reference is not refused at its column"; }
grep -qF "bad.d/b.conf:2:51: 'std::vector<bool>' is not supported" bad.err ||
	{ cat bad.err; fail "vector<bool> is not refused"; }
exit 0
