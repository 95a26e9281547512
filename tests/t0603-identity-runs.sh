#!/usr/bin/env bash
# t0603: code identity in real runs. The identity-matrix variants
# (tests/progs/identity/matrix.c, one edit each) run under libmemo, sharing one
# cache folder with the baseline that filled it: an unrelated function and
# string added still hit (simulate's body does not run), while a changed
# constant, string, callee, callee's callee or imported function (sin -> cos)
# misses and prints what the variant prints without libmemo. At -O0, -O2 and
# -O3, PIE and not (and -O2 with -fcf-protection).
source "$TOP/tests/lib.sh"
SRC="$TOP/tests/progs/identity/matrix.c"

variants="BASE UNRELATED CONST STRING CALLEE CALLEE2 IMPORT"
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
		echo "bin/$m.$v $(flags_of "$m") -DV_$v"
	done
done | SRC="$SRC" xargs -P2 -L1 sh -c 'out=$1; shift; exec gcc "$@" -o "$out" "$SRC" -lm' sh ||
	fail "building the variants failed"

mkdir memo.d
printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >memo.d/simulate.conf
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

# run MODE VARIANT EXPECTED_BODY_RUNS: the variant under libmemo prints what it
# prints without libmemo, running simulate's body that many times.
run() {
	reset_runs
	MEMO_DISABLE=1 "bin/$1.$2" 20 0.5 >plain.out || fail "$1.$2 without libmemo"
	reset_runs
	under_memo "bin/$1.$2" 20 0.5 >memo.out 2>memo.err || { cat memo.err; fail "$1.$2 under libmemo"; }
	same plain.out memo.out "$1.$2"
	grep -q "cannot be memoized\|not entry-patched\|not found" memo.err && { cat memo.err; fail "$1.$2: simulate not memoized"; }
	expect_eq "$(runs simulate)" "$3" "$1.$2: simulate body runs (${4:-})"
}

for m in $modes; do
	rm -rf cache
	run "$m" BASE 1 "fills the cache"
	run "$m" BASE 0 "the same program hits"
	run "$m" UNRELATED 0 "an unrelated edit must hit"
	for v in CONST STRING CALLEE CALLEE2 IMPORT; do
		run "$m" $v 1 "edit $v must miss"
	done
	run "$m" IMPORT 0 "the edited program hits its own entry"
done
note "$(echo $modes | wc -w) build modes: unrelated edits hit, relevant edits miss"
exit 0
