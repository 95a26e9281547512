#!/usr/bin/env bash
# t1423: a process without C++ pays nothing for C++ names. A C program
# (progs/cxx/cprog.c) under a config naming C++ functions beside its own
# c_square: the engine starts (c_square is memoized), looks for the C++
# names among the program's symbols (src/find/cxx_name.c, libiberty's
# demangler linked in), and no libstdc++ is mapped in the process
# (/proc/self/maps, as the program reads it); neither libmemo object needs
# it (ldd). Stripped, the program has nothing the engine could find:
# libmemo.so starts it for a C++ name only where libstdc++ is loaded.
source "$TOP/tests/lib.sh"
prog="$P/cxx/cprog"

conf_cache dir="$T/cache" stats=off
conf_function c_square 'long c_square(long x)'
printf '[function model::energy(double const*, unsigned long)]\nprototype = double model::energy(const double x[n], unsigned long n)\n' >memo.d/energy.conf
printf '[function model::weigh]\nprototype = double model::weigh(const std::string &label, double w)\n' >memo.d/weigh.conf
export MEMO_CONFIG=memo.d

MEMO_DISABLE=1 "$prog" 7 >plain.out || fail "plain run"
grep -qx "libstdc++ mapped: no" plain.out || { cat plain.out; fail "the C program maps libstdc++ by itself"; }
reset_runs
for run in one two; do
	MEMO_LOG=info under_memo "$prog" 7 >$run.out 2>$run.err || { cat $run.err; fail "$run run"; }
	if [ "${SAN:-0}" = 1 ]; then	# UBSan's runtime, linked into libmemo, needs libstdc++
		head -n 1 plain.out >plain1.out
		head -n 1 $run.out >run1.out
		same plain1.out run1.out "$run run"
	else
		same plain.out $run.out "$run run: no libstdc++ mapped"
	fi
done
grep -q "'model::weigh' (memo.d/weigh.conf:1) \[not-found\]" one.err ||
	{ cat one.err; fail "the C++ names were not looked for"; }
expect_eq "$(runs c_square)" 1 "c_square memoized: one run in two processes"
[ "${SAN:-0}" = 1 ] && { note "SAN=1: libstdc++ comes with UBSan's runtime; the rest is not checked"; exit 0; }
note "a stripped C program that loads nothing: libmemo.so leaves the engine unloaded"
mkdir cxx.d
cp memo.d/cache.conf memo.d/energy.conf memo.d/weigh.conf cxx.d/
cp "$prog" bare && strip bare || fail "strip"
MEMO_CONFIG=cxx.d MEMO_LOG=info under_memo ./bare 7 >bare.out 2>bare.err || { cat bare.err; fail "bare run"; }
grep -q "libmemo stays idle" bare.err || { cat bare.err; fail "the engine was started for C++ names in a C process"; }

for so in libmemo.so libmemo-engine.so; do
	! ldd "$B/$so" | grep -q "libstdc++" || fail "$so needs libstdc++"
done
exit 0
