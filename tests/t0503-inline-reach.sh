#!/usr/bin/env bash
# Owns: entry patching catches callers every way: direct calls and recursion
# inside the executable (a static function), PLT calls, -fno-plt calls with
# full RELRO, function pointers taken before patching, dlopen + dlsym, and
# python3 ctypes; and the ABI cases (8 integer and 10 double arguments, float,
# char and _Bool returns, long double on the stack and in st(0)).
source "$TOP/tests/lib.sh"
D="$P/inline/libinltest.so"
HOOKS="fib:l(l):m;local_twice:l(l);inl_plt:l(l);inl_ptr:l(l);inl_add8:l(llllllll)"
HOOKS="$HOOKS;inl_sum10:d(dddddddddd);inl_half:f(f);inl_chr:c(i);inl_odd:b(i);inl_ldmul:D(DiD);inl_late:l(l)"

for run in reach: reach-noplt: reach:sse reach:xsave; do
	prog=${run%%:*}
	export MEMO_INLINE_VEC=${run#*:}
	note "$prog ${MEMO_INLINE_VEC:+(vector state by $MEMO_INLINE_VEC)}"
	reset_runs
	"$P/inline/$prog" "$P/inline" >plain.out || fail "$prog without patching"
	plain_fib=$(runs fib)
	reset_runs
	INLTEST="$HOOKS" LD_PRELOAD="$D" MEMO_LOG=info "$P/inline/$prog" "$P/inline" >patched.out 2>err ||
		{ cat err; fail "$prog patched run"; }
	cat err
	same plain.out patched.out "$prog"
	for f in fib local_twice inl_plt inl_ptr inl_add8 inl_sum10 inl_half inl_chr inl_odd inl_ldmul inl_late; do
		grep -qx "libmemo: '$f': entry-patched" err || fail "$prog: '$f' was not patched"
	done
	# Every call of each way reached the hook (counts of reach_main.c's calls).
	for c in local_twice=3 inl_plt=3 inl_ptr=3 inl_add8=1 inl_sum10=1 inl_half=1 inl_chr=1 \
		 inl_odd=2 inl_ldmul=1 inl_late=2; do
		grep -qx "inltest: ${c%=*} calls=${c#*=}" err || fail "$prog: calls of '${c%=*}' missed the hook"
	done
	# Recursion goes through the hook too: the memoized naive Fibonacci
	# runs its body a linear number of times, not exponential.
	memo_fib=$(runs fib)
	note "fib(20) body runs: $plain_fib plain, $memo_fib memoized"
	expect_eq "$plain_fib" 21891 "$prog: fib(20) body runs without patching"
	expect_eq "$memo_fib" 21 "$prog: fib(20) body runs memoized"
done

note "python3 ctypes"
unset MEMO_INLINE_VEC
# The interpreter itself, not a wrapper script (pyenv shims are bash).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
cat >fib.py <<PY
import ctypes
lib = ctypes.CDLL("$P/inline/libreach.so")
lib.inl_lfib.restype = ctypes.c_long
lib.inl_lfib.argtypes = [ctypes.c_long]
print(lib.inl_lfib(22), lib.inl_lfib(10))
PY
reset_runs
"$PY" fib.py >plain.out || fail "python3 without patching"
plain_fib=$(runs inl_lfib)
reset_runs
INLTEST="inl_lfib:l(l):m" LD_PRELOAD="$D" MEMO_LOG=info "$PY" fib.py >patched.out 2>err || { cat err; fail "python3 patched"; }
cat err
same plain.out patched.out "python3 ctypes"
grep -qx "libmemo: 'inl_lfib': entry-patched" err || fail "ctypes: inl_lfib was not patched at its dlopen"
memo_fib=$(runs inl_lfib)
note "inl_lfib(22) body runs: $plain_fib plain, $memo_fib memoized"
expect_eq "$plain_fib" 57490 "ctypes: inl_lfib body runs without patching"
expect_eq "$memo_fib" 23 "ctypes: inl_lfib body runs memoized"
exit 0
