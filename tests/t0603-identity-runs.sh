#!/usr/bin/env bash
# t0603: code identity in real runs. The identity-matrix variants
# (tests/progs/identity/matrix.c, one edit each) run under libmemo, sharing one
# cache folder with the baseline that filled it: an unrelated function and
# string added still hit (simulate's body does not run), while a changed
# constant, string, callee, callee's callee, imported function (sin -> cos),
# callee or string behind a const table misses and prints what the variant
# prints without libmemo. The same for the C++ program
# (tests/progs/identity/vtables.cc): shade() misses when a virtual function it
# reaches changed, and gets no purity warning. At -O0, -O2 and -O3, PIE and
# not (and -O2 with -fcf-protection).
source "$TOP/tests/lib.sh"
SRC="$TOP/tests/progs/identity/matrix.c"
VT="$TOP/tests/progs/identity/vtables.cc"

variants="BASE UNRELATED CONST STRING CALLEE CALLEE2 IMPORT TABLE_CALLEE TABLE_STRING"
vt_variants="BASE UNRELATED VIRTUAL MADE"
modes="O0-pie O0-nopie O2-pie O2-nopie O2-pie-cf O3-pie O3-nopie"
flags_of() {
	local f="-${1%%-*} -g0"
	case $1 in *-nopie*) f="$f -fno-pie -no-pie" ;; *) f="$f -fPIE -pie" ;; esac
	case $1 in *-cf) f="$f -fcf-protection=full" ;; *) f="$f -fcf-protection=none" ;; esac
	echo "$f"
}
mkdir -p bin
for m in $modes; do
	for v in $variants; do
		echo "gcc bin/$m.$v $SRC $(flags_of "$m") -DV_$v"
	done
	for v in $vt_variants; do
		echo "g++ bin/vt-$m.$v $VT $(flags_of "$m") -DV_$v"
	done
done | xargs -P2 -L1 sh -c 'cc=$1 out=$2 src=$3; shift 3; exec $cc "$@" -o "$out" "$src" -lm' sh ||
	fail "building the variants failed"

# A config folder per program: simulate.d, shade.d.
for fn in simulate shade; do
	mkdir $fn.d
	printf '[function %s]\nprototype = double %s(int n, double x)\n' $fn $fn >$fn.d/$fn.conf
	printf '[cache]\ndir = %s\n' "$T/cache" >$fn.d/cache.conf
done

# run MODE VARIANT EXPECTED_BODY_RUNS [WHY [FUNCTION]]: the variant under
# libmemo prints what it prints without libmemo, running FUNCTION's body
# (simulate's by default) that many times.
run() {
	local fn=${5:-simulate}
	reset_runs
	MEMO_DISABLE=1 "bin/$1.$2" 20 0.5 >plain.out || fail "$1.$2 without libmemo"
	reset_runs
	MEMO_CONFIG="$T/$fn.d" under_memo "bin/$1.$2" 20 0.5 >memo.out 2>memo.err || { cat memo.err; fail "$1.$2 under libmemo"; }
	same plain.out memo.out "$1.$2"
	grep -q "cannot be memoized\|not entry-patched\|not found" memo.err && { cat memo.err; fail "$1.$2: $fn not memoized"; }
	expect_eq "$(runs $fn)" "$3" "$1.$2: $fn body runs (${4:-})"
}

for m in $modes; do
	rm -rf cache
	run "$m" BASE 1 "fills the cache"
	run "$m" BASE 0 "the same program hits"
	run "$m" UNRELATED 0 "an unrelated edit must hit"
	for v in CONST STRING CALLEE CALLEE2 IMPORT TABLE_CALLEE TABLE_STRING; do
		run "$m" $v 1 "edit $v must miss"
	done
	run "$m" IMPORT 0 "the edited program hits its own entry"

	run "vt-$m" BASE 1 "fills the cache" shade
	# Only its vtables' functions are what shade calls: nothing to key on.
	grep -q "reads writable globals" memo.err && { cat memo.err; fail "vt-$m: a purity warning for shade"; }
	run "vt-$m" UNRELATED 0 "an unrelated edit must hit" shade
	for v in VIRTUAL MADE; do
		run "vt-$m" $v 1 "edit $v must miss" shade
	done
done
note "$(echo $modes | wc -w) build modes: unrelated edits hit, relevant edits miss"
exit 0
