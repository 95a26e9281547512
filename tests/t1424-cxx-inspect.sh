#!/usr/bin/env bash
# t1424: `memo inspect` describes C++ functions from DWARF in the spellings
# a config takes (src/cmd/cmd_inspect.c, names from src/find/cxx_name.c):
# the demangled name, with its parameter list where the name is
# overloaded; `const std::vector<T> &` and `const std::string &` inputs;
# `opaque void *this`; a std::string return said to be refused
# [cxx-object]. A SYMBOL may be written demangled. Its suggestions, pasted
# into a config as they are, memoize the program: `memo check` agrees,
# and the outputs are the unmemoized ones.
source "$TOP/tests/lib.sh"
command -v g++ >/dev/null || skip "no g++: the C++ test library is not built"
lib="$P/cxx/libmodel.so"
prog="$P/cxx/cxxprog"

"$B/memo" inspect "$lib" >inspect.out || { cat inspect.out; fail "memo inspect"; }
for want in \
	'[function model::spectral_energy_raw]' \
	'[function model::energy(double const*, unsigned long)]' \
	'[function model::energy(std::vector<double, std::allocator<double> > const&)]' \
	'prototype = double model::energy(const std::vector<double> &v)' \
	'prototype = double model::weigh(const std::string &label, double w)' \
	'prototype = long int model::count_long(const std::vector<long int> &v, const std::string &tag)' \
	'prototype = double model::Grid::cell(opaque void *this, int i)' \
	'prototype = std::string model::describe(int k)' \
	'prototype = std::vector<double> model::series(int n)' \
	'it returns std::string by value, a C++ object that is not trivially copyable [cxx-object]'; do
	grep -qF -- "$want" inspect.out || { cat inspect.out; fail "memo inspect does not write: $want"; }
done
! grep -q "not described in the debug info" inspect.out || { cat inspect.out; fail "a function not described"; }

note "a demangled SYMBOL: both overloads"
"$B/memo" inspect "$lib" model::energy >energy.out || { cat energy.out; fail "memo inspect model::energy"; }
expect_eq "$(grep -c '^  identity:' energy.out)" 2 "model::energy: two overloads inspected"
"$B/memo" inspect "$lib" 'model::energy(double const *, unsigned long)' >one.out || fail "memo inspect, one overload"
expect_eq "$(grep -c '^  identity:' one.out)" 1 "one overload, by its parameter list"

note "the suggestions as a config"
mkdir memo.d
# the library's own functions (libstdc++'s templates it instantiated, too)
awk '/^    \[function /{ take = /model::/; if (take) n++ }
     take && /^    (\[function |prototype = )/{ sub(/^    /, ""); print >> ("memo.d/f" n ".conf") }' inspect.out
expect_eq "$(ls memo.d | wc -l)" 9 "nine sections written"
printf '[cache]\ndir = %s\nstats = off\n' "$T/cache" >memo.d/cache.conf
export MEMO_CONFIG=memo.d
"$B/memo" check -c memo.d "$lib" >check.out || { cat check.out; fail "memo check"; }
# the only errors: the two returns inspect said would be refused
expect_eq "$(grep -c "error" check.out) $(grep -c "error \[cxx-object\]" check.out)" "2 2" \
	"memo check's errors"
grep -qx "memo.d: 9 functions, 0 not found" check.out || { cat check.out; fail "memo check disagrees"; }
MEMO_DISABLE=1 "$prog" 2 >plain.out || fail "plain run"
reset_runs
under_memo "$prog" 2 >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run"
grep -q "'model::describe' (memo.d/f[0-9]*.conf:1) cannot be memoized \[cxx-object\]" first.err ||
	{ cat first.err; fail "describe not refused"; }
reset_runs
under_memo "$prog" 2 >second.out 2>second.err || { cat second.err; fail "second run"; }
same plain.out second.out "second run"
expect_eq "$(sort -u "$MEMO_TEST_RUNS" | tr '\n' ' ')" "describe series " "second run: every body but the refused ones' served"
exit 0
