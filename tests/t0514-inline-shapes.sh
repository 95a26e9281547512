#!/usr/bin/env bash
# Owns: every scalar shape of t0010 through each way a call reaches the
# handler and the original: `mechanism = inline` (entry.S calls call_entry
# with the arguments where it saved them: integer, vector and stack-passed
# ones, results in %rax or %xmm0; a long double result goes through libffi's
# closure) and `mechanism = got` (libffi's closure); the original called by
# registers (evaluate.c) or, for long double and stack-passed arguments, by
# ffi_call. Same output as without libmemo in a first and a second run; the
# second runs no memoized body.
source "$TOP/tests/lib.sh"
bin="$P/shapes/shapes-now"

MEMO_DISABLE=1 "$bin" 2 >plain.out || fail "plain run failed"
for mech in inline got; do
	note "mechanism $mech"
	rm -rf memo.d cache stats.jsonl
	mkdir memo.d
	for f in "$TOP"/tests/progs/shapes/memo.d/*.conf; do
		{ cat "$f"; echo "mechanism = $mech"; } >memo.d/"${f##*/}"
	done
	printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
	export MEMO_CONFIG="$T/memo.d"
	reset_runs
	under_memo "$bin" 2 >first.out 2>first.err || { cat first.err; fail "$mech: first run failed"; }
	same plain.out first.out "$mech: first run"
	grep 'warning\|error\|cannot' first.err | grep -v "'describe' reads writable globals" &&
		fail "$mech: first run complained"
	reset_runs
	under_memo "$bin" 2 >second.out 2>second.err || fail "$mech: second run failed"
	same plain.out second.out "$mech: second run"
	expect_eq "$(grep -vxc fast runs)" 0 "$mech: memoized bodies run in the second run"
	expect_eq "$(stat_of stats.jsonl many hits)" 2 "$mech: many (stack-passed arguments) hits"
	expect_eq "$(stat_of stats.jsonl sc_f32 hits)" 2 "$mech: sc_f32 hits"
done
exit 0
