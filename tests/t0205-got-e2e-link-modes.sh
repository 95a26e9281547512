#!/usr/bin/env bash
# End to end under LD_PRELOAD, mechanism = got: a program calling a library
# function from its main object through a lazy PLT slot, a full-RELRO slot and
# a -fno-plt GLOB_DAT slot is memoized: output byte-identical to the run
# without libmemo, repeated arguments hit within the run, nothing re-runs in a
# second run, and the unhooked function still runs every time.
source "$TOP/tests/lib.sh"
G="$P/got"

mkdir memo.d
conf_function got_add 'int got_add(int a, int b)' mechanism=got
export MEMO_CONFIG="$T/memo.d"

for mode in lazy relro noplt; do
	note "link mode $mode"
	conf_cache dir="$T/cache-$mode" stats="$T/stats-$mode.jsonl"
	reset_runs
	MEMO_DISABLE=1 "$G/gotprog-$mode" 6 >plain.out || fail "$mode: plain run"
	expect_eq "$(runs got_add)" 6 "$mode: plain got_add bodies"

	reset_runs
	MEMO_LOG=debug under_memo "$G/gotprog-$mode" 6 >first.out 2>first.err || { cat first.err; fail "$mode: first run"; }
	same plain.out first.out "$mode: first run"
	grep -q "'got_add': .* slot .* in 'main program' patched" first.err || { cat first.err; fail "$mode: main program slot not patched"; }
	expect_eq "$(runs got_add)" 2 "$mode: first run bodies (two distinct argument pairs)"
	expect_eq "$(runs got_scale)" 1 "$mode: unhooked got_scale runs"
	expect_eq "$(stat_of "stats-$mode.jsonl" got_add hits)" 4 "$mode: hits in the first run"

	reset_runs
	under_memo "$G/gotprog-$mode" 6 >second.out 2>second.err || { cat second.err; fail "$mode: second run"; }
	same plain.out second.out "$mode: second run"
	expect_eq "$(runs got_add)" 0 "$mode: second run bodies"
	expect_eq "$(stat_of "stats-$mode.jsonl" got_add hits)" 6 "$mode: hits in the second run"
done
