#!/usr/bin/env bash
# t0606: an import is identified by the implementation this process selected
# (src/find/provider.c), so processes that select different IFUNC variants
# (other CPUs sharing one cache) never share results, and processes that
# select the same ones still do. One folder store is shared by every run;
# each run prints what it prints without libmemo.
#  - tests/progs/identity/ifunclib.c selects by environment variables: an
#    imported IFUNC (kernel) and an ordinary export calling the library's own
#    IFUNC through an IRELATIVE slot (wrapped);
#  - the program's own IFUNC (ifuncmain.c's own_kernel), as target_clones;
#  - libm's exp (an export calling its own IFUNC __exp), with and without
#    GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA, on the arguments where the two
#    variants' results differ on this CPU (skipped where they never do).
source "$TOP/tests/lib.sh"
S="$TOP/tests/progs/identity"

gcc -O2 -fPIC -shared -o libifunc.so "$S/ifunclib.c" || fail "building libifunc.so"
gcc -O2 -o ifunc "$S/ifuncmain.c" -L. -lifunc -lm -Wl,-rpath,"$T" || fail "building ifunc"
readelf -W --dyn-syms libifunc.so | grep -q 'IFUNC .* kernel$' || fail "kernel is not an IFUNC"
readelf -W -r libifunc.so | grep -q IRELATIVE || fail "libifunc.so has no IRELATIVE slot"

conf_function calls_kernel 'int calls_kernel(int x)'
conf_function calls_wrapped 'int calls_wrapped(int x)'
conf_function calls_own 'int calls_own(int x)'
conf_function exp_of 'double exp_of(double x)'
conf_cache dir="$T/cache"
export MEMO_CONFIG="$T/memo.d"

# run NAME RUNS_OF_FN... -- CMD...: CMD under libmemo prints what it prints
# without libmemo (saved as NAME.out); FN=N checks N body runs, FN=any not.
run() {
	local name=$1 checks=() fc
	shift
	while [ "$1" != -- ]; do checks+=("$1"); shift; done
	shift
	MEMO_DISABLE=1 "$@" >"$name.out" || fail "$name: without libmemo"
	reset_runs
	under_memo "$@" >memo.out 2>memo.err || { cat memo.err; fail "$name: under libmemo"; }
	same "$name.out" memo.out "$name"
	for fc in "${checks[@]}"; do
		[ "${fc#*=}" = any ] || expect_eq "$(runs "${fc%=*}")" "${fc#*=}" "$name: ${fc%=*}'s body runs"
	done
}
v() { env MEMO_TEST_KERNEL="$1" MEMO_TEST_INNER="$2" ./ifunc ifunc 3; }

run aa calls_kernel=3 calls_wrapped=3 -- v a a
run aa calls_kernel=0 calls_wrapped=0 -- v a a
run ba calls_kernel=3 calls_wrapped=0 -- v b a
cmp -s aa.out ba.out && fail "kernel's variants print the same"
run ba calls_kernel=0 calls_wrapped=0 -- v b a
# Another selection inside the library: every import from it misses (the
# library's selections are named together), calls_wrapped must.
run ab calls_kernel=any calls_wrapped=3 -- v a b
cmp -s aa.out ab.out && fail "inner's variants print the same"
run ab calls_kernel=0 calls_wrapped=0 -- v a b
run aa calls_kernel=0 calls_wrapped=0 -- v a a
# MEMO_EXPLAIN names the import whose implementation changed: 4 is cached
# under the first selection only.
MEMO_TEST_KERNEL=a MEMO_TEST_INNER=a under_memo ./ifunc ifunc 4 >/dev/null 2>&1 || fail "filling 4"
MEMO_EXPLAIN=1 MEMO_TEST_KERNEL=a MEMO_TEST_INNER=b under_memo ./ifunc ifunc 4 >/dev/null 2>explain.err ||
	{ cat explain.err; fail "explain run"; }
grep -q "'calls_wrapped' miss: .*'wrapped' runs other implementations" explain.err ||
	{ cat explain.err; fail "explain: wrapped's implementation"; }
note "own IFUNCs: each selection its own results, the same selection shared"

# The program's own IFUNC (an IRELATIVE slot of its own, as GCC's
# target_clones makes): the configured function's object selects too.
run own_a calls_own=3 -- ./ifunc own 3
run own_b calls_own=3 -- env MEMO_TEST_OWN=b ./ifunc own 3
cmp -s own_a.out own_b.out && fail "own_kernel's variants print the same"
run own_b calls_own=0 -- env MEMO_TEST_OWN=b ./ifunc own 3
run own_a calls_own=0 -- ./ifunc own 3
note "the program's own IFUNC: each selection its own results, the same shared"

# libm's exp: the arguments where this CPU's two variants differ, and a few
# where they agree.
TUNE=glibc.cpu.hwcaps=-AVX2,-FMA
./ifunc scan 200000 >scan.fast || fail "scan"
GLIBC_TUNABLES=$TUNE ./ifunc scan 200000 >scan.slow || fail "scan with $TUNE"
paste -d' ' scan.fast scan.slow | awk '$2 != $4 { print $1 }' | head -n 200 >xs
ndiff=$(wc -l <xs)
[ "$ndiff" -gt 0 ] || { note "exp: '$TUNE' selects no other variant on this CPU"; exit 0; }
head -n 50 scan.fast | awk '{ print $1 }' >>xs
n=$(wc -l <xs)
run fast exp_of="$n" -- ./ifunc exp xs
run slow exp_of="$n" -- env GLIBC_TUNABLES=$TUNE ./ifunc exp xs
cmp -s fast.out slow.out && fail "exp's variants print the same"
run slow exp_of=0 -- env GLIBC_TUNABLES=$TUNE ./ifunc exp xs
run fast exp_of=0 -- ./ifunc exp xs
note "exp: $ndiff of $n arguments differ between the variants; each run printed its own"
