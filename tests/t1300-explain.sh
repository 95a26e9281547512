#!/usr/bin/env bash
# t1300: MEMO_EXPLAIN=1 says why each miss missed. The identity matrix's
# program (tests/progs/identity/matrix.c) is built in its variants, each one
# edit away from the baseline; after a baseline run, each variant's miss of
# the same arguments names the edit (a constant, a string, a callee, a
# callee's callee, an import swapped), new arguments are a first call, an
# unrelated edit misses nothing, and a prototype change and a flush say so.
# The explanation survives a silent run: asked for afterwards, it still names
# the change; arguments cached two states back are told against that state;
# a history written by a build of another key format says so. Outputs stay
# those of the program run without libmemo.
source "$TOP/tests/lib.sh"

SRC="$TOP/tests/progs/identity/matrix.c"
variants="BASE UNRELATED CONST STRING CALLEE CALLEE2 IMPORT"
modes="-O2_-fPIE_-pie -O0_-fno-pie_-no-pie -O3_-fPIE_-pie_-fcf-protection=full"

mkdir memo.d
printf '[cache]\ndir = %s\nstats = off\n' "$T/cache" >memo.d/cache.conf
printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >memo.d/simulate.conf
export MEMO_CONFIG="$T/memo.d" MEMO_EXPLAIN=1

# explained WHAT LINE: the explain lines of the last run (in err) are exactly LINE.
explained() {
	grep '^libmemo: explain:' err >got.explain
	if [ -z "$2" ]; then
		[ -s got.explain ] && { cat got.explain >&2; fail "$1: explained a miss that should be a hit"; }
		return 0
	fi
	printf '%s\n' "$2" >want.explain
	same want.explain got.explain "$1: explanation"
}
# run BIN ARGS...: under libmemo, output checked against the plain run;
# `runs` then counts the bodies run under libmemo
run() {
	MEMO_DISABLE=1 "$@" >plain.out || fail "'$*' failed without libmemo"
	reset_runs
	under_memo "$@" >out 2>err || { cat err >&2; fail "'$*' failed"; }
	same plain.out out "'$*'"
}

changed="libmemo: explain: 'simulate' miss: the code identity changed since these arguments were cached"
first="libmemo: explain: 'simulate' miss: first call with these arguments"
declare -A why=(
	[CONST]="$changed: a constant it reads changed"
	[STRING]="$changed: a string it reads changed"
	[CALLEE]="$changed: callee 'helper' changed: a constant it reads changed"
	[CALLEE2]="$changed: callee 'deep' (called from 'helper') changed: a constant it reads changed"
	[IMPORT]="$changed: imported function 'sin' replaced by 'cos'"
)

for mode in $modes; do
	flags=${mode//_/ }
	note "build $flags"
	rm -rf cache bin
	mkdir bin
	for v in $variants; do
		gcc $flags -g0 -rdynamic -DV_$v -o bin/$v "$SRC" -lm || fail "building $v ($flags)"
	done

	run bin/BASE 20 0.5
	explained "$mode: first run" "$first"
	run bin/BASE 20 0.5
	explained "$mode: second run" ""

	for v in UNRELATED CONST STRING CALLEE CALLEE2 IMPORT; do
		run bin/BASE 20 0.5		# the baseline is the state before the edit
		explained "$mode: baseline before $v" ""
		run bin/$v 20 0.5
		if [ $v = UNRELATED ]; then
			explained "$mode: $v" ""
			expect_eq "$(runs simulate)" 0 "$mode: simulate runs after an unrelated edit"
			continue
		fi
		explained "$mode: $v" "${why[$v]}"
		run bin/$v 21 0.5
		explained "$mode: $v, new arguments" "$first"
	done

	# Asked afterwards: a silent run of the edit, then MEMO_EXPLAIN=1.
	run bin/BASE 30 0.5
	run bin/BASE 20 0.5
	MEMO_EXPLAIN=0 run bin/CONST 20 0.5
	explained "$mode: silent run" ""
	run bin/CONST 30 0.5
	explained "$mode: explained after a silent run" "${why[CONST]}"

	# Cached two states back: the change is told against that state.
	run bin/BASE 50 0.5
	run bin/CALLEE 20 0.5
	run bin/IMPORT 50 0.5
	explained "$mode: cached two states back" "${why[IMPORT]}"
done

# The prototype's rules changed: every key did.
run bin/BASE 20 0.5
printf 'ignore_args = x\n' >>memo.d/simulate.conf
run bin/BASE 20 0.5
explained "ignore_args added" "libmemo: explain: 'simulate' miss: the config's prototype or rules changed since the last run"
run bin/BASE 20 0.5
explained "ignore_args added, again" ""

# A flush.
"$B/memo" flush -c memo.d simulate >/dev/null || fail "memo flush"
run bin/BASE 20 0.5
explained "after memo flush" "libmemo: explain: 'simulate' miss: its entries were flushed (memo flush) since these arguments were cached"

# libmemo upgraded from a build whose keys were another format: its states
# carry no key format (format 1), and none of its entries can be found.
run bin/BASE 20 0.5
record=$(grep -rl '^memo-explain ' cache | head -n 1)
[ -n "$record" ] && grep -q '^state .* k2$' "$record" || fail "no explain record with its key format"
sed -i 's/^\(state .*\) k2$/\1/' "$record"
run bin/BASE 21 0.5
explained "a build of key format 1 before" "libmemo: explain: 'simulate' miss: libmemo's key format changed since the last run (version 1, now 2: libmemo was upgraded), so entries written before are never found: each call computes once more"
run bin/BASE 21 0.5
explained "key format 1 before, again" ""

# Without MEMO_EXPLAIN, a miss says nothing.
MEMO_EXPLAIN= run bin/BASE 40 0.5
explained "MEMO_EXPLAIN unset" ""
