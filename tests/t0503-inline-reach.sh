#!/usr/bin/env bash
# Owns: entry patching (mechanism = inline) under the real libmemo catches
# callers every way: direct calls and recursion inside the executable (static
# functions: a memoized naive Fibonacci becomes linear), a static function
# through a pointer taken before patching, an IFUNC of the program, PLT calls,
# -fno-plt calls with full RELRO, dlopen + dlsym, python3 ctypes; and the ABI
# cases (8 integer and 10 double arguments, float, char and _Bool returns,
# long double on the stack and in st(0), libm's exp restoring ERANGE on a hit).
# Each program runs without libmemo, then twice with it: same bytes out, and
# the second run executes no memoized body.
source "$TOP/tests/lib.sh"

mkdir memo.d
conf() { printf '[function %s]\nprototype = %s\nmechanism = inline\n' "$1" "$2" >"memo.d/$1.conf"; }
conf fib 'long fib(long n)'
conf local_twice 'long local_twice(long x)'
conf ifn 'long ifn(long x)'
conf inl_plt 'long inl_plt(long x)'
conf inl_ptr 'long inl_ptr(long x)'
conf inl_add8 'long inl_add8(long a, long b, long c, long d, long e, long f, long g, long h)'
conf inl_sum10 'double inl_sum10(double a, double b, double c, double d, double e, double f, double g, double h, double i, double j)'
conf inl_half 'float inl_half(float x)'
conf inl_chr 'char inl_chr(int i)'
conf inl_odd '_Bool inl_odd(int i)'
conf inl_ldmul 'long double inl_ldmul(long double a, int k, long double b)'
conf inl_late 'long inl_late(long x)'
conf exp 'double exp(double x)'
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bodies="fib local_twice ifn inl_plt inl_ptr inl_add8 inl_sum10 inl_half inl_chr inl_odd inl_ldmul inl_late"

for run in reach: reach-noplt: reach:sse reach:xsave; do
	prog=${run%%:*}
	export MEMO_INLINE_VEC=${run#*:}	# each way entry.S keeps vector state
	note "$prog ${MEMO_INLINE_VEC:+(vector state by $MEMO_INLINE_VEC)}"
	rm -rf cache stats.jsonl
	reset_runs
	MEMO_DISABLE=1 "$P/inline/$prog" "$P/inline" >plain.out || fail "$prog without libmemo"
	expect_eq "$(runs fib)" 21891 "$prog: fib(20) body runs without libmemo"

	reset_runs
	MEMO_LOG=info under_memo "$P/inline/$prog" "$P/inline" >first.out 2>first.err ||
		{ cat first.err; fail "$prog: first run"; }
	same plain.out first.out "$prog: first run"
	for f in $bodies exp; do
		grep -q "^libmemo: '$f' memoized" first.err || { cat first.err; fail "$prog: '$f' not memoized"; }
	done
	# Recursion goes through the cache too: fib(20) runs its body once per n.
	note "fib(20) body runs: 21891 without libmemo, $(runs fib) memoized"
	expect_eq "$(runs fib)" 21 "$prog: fib(20) body runs memoized"
	# Every distinct call ran once (the same counts as without libmemo).
	for c in local_twice=3 ifn=3 inl_plt=3 inl_ptr=3 inl_add8=1 inl_sum10=1 inl_half=1 \
		 inl_chr=1 inl_odd=2 inl_ldmul=1 inl_late=2; do
		expect_eq "$(runs ${c%=*})" "${c#*=}" "$prog: body runs of ${c%=*} in the first run"
	done

	reset_runs
	under_memo "$P/inline/$prog" "$P/inline" >second.out 2>second.err ||
		{ cat second.err; fail "$prog: second run"; }
	same plain.out second.out "$prog: second run"
	[ -s runs ] && { sort runs | uniq -c; fail "$prog: memoized bodies ran in the second run"; }
	# exp(1000) was served from the cache, and errno is ERANGE as it was.
	expect_eq "$(stat_of stats.jsonl exp hits)" 1 "$prog: exp hits"
	expect_eq "$(stat_of stats.jsonl exp misses)" 0 "$prog: exp misses"
	grep -qx "exp(1000)=inf erange=1" second.out || fail "$prog: errno not restored on a hit"
	expect_eq "$(stat_of stats.jsonl fib calls)" 1 "$prog: fib calls in the second run"
done
unset MEMO_INLINE_VEC

note "python3 ctypes"
# The interpreter itself, not a wrapper script (pyenv shims are bash, and a
# preload would be spent on bash).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
head -c 4 "$PY" | grep -q ELF || skip "no python3 interpreter binary"
cat >fib.py <<PY
import ctypes
lib = ctypes.CDLL("$P/inline/libreach.so")
lib.inl_lfib.restype = ctypes.c_long
lib.inl_lfib.argtypes = [ctypes.c_long]
print(lib.inl_lfib(22), lib.inl_lfib(10))
PY
conf inl_lfib 'long inl_lfib(long n)'
rm -rf cache stats.jsonl
reset_runs
MEMO_DISABLE=1 "$PY" fib.py >plain.out || fail "python3 without libmemo"
expect_eq "$(runs inl_lfib)" 57490 "ctypes: inl_lfib body runs without libmemo"
reset_runs
MEMO_LOG=info under_memo "$PY" fib.py >first.out 2>first.err || { cat first.err; fail "python3 under libmemo"; }
same plain.out first.out "python3 ctypes"
grep -q "^libmemo: 'inl_lfib' memoized" first.err || { cat first.err; fail "ctypes: inl_lfib not memoized at its dlopen"; }
note "inl_lfib(22) body runs: 57490 without libmemo, $(runs inl_lfib) memoized"
expect_eq "$(runs inl_lfib)" 23 "ctypes: inl_lfib body runs memoized"
reset_runs
under_memo "$PY" fib.py >second.out 2>second.err || { cat second.err; fail "python3, second run"; }
same plain.out second.out "python3 ctypes, second run"
expect_eq "$(runs inl_lfib)" 0 "ctypes: inl_lfib body runs in the second run"
exit 0
