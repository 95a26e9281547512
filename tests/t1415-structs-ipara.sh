#!/usr/bin/env bash
# t1415: the entry keeps exactly the registers a struct result occupies
# (src/patch/inline.c aggregate_frame, config/types.c's psABI classes).
# tests/progs/structs/ipara, at -O2: GCC's IPA-RA keeps values in
# caller-saved registers across calls to local functions returning structs
# in rax:rdx, rax:xmm0 and xmm0:xmm1 (rdx live across mixed(), xmm1 across
# ints(), ...). Entry-patched and memoized, on misses and hits, the output
# is the unmemoized one: a register kept that the result does not occupy
# would hand the caller libmemo's value instead of its own.
source "$TOP/tests/lib.sh"
prog="$P/structs/ipara"

dis() { objdump -d --no-show-raw-insn "$prog" | awk -v f="<$1>:" '$2 == f {p=1; next} p && /^$/ {exit} p'; }
dis keep_live >keep.s
[ -s keep.s ] || skip "objdump did not show keep_live"
for f in ints mixed floats; do
	grep -q "call.*<$f>" keep.s || skip "keep_live does not call $f"
done
grep -q '(%rsp)\|push' keep.s && skip "keep_live spills: no IPA-RA at this compiler"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
printf '[types]\nstruct ints = { long a; long b; }\nstruct mixed = { long k; double w; }\nstruct floats = { double lo; double hi; }\n' >memo.d/types.conf
conf_function ints 'struct ints ints(long x)' mechanism=inline
conf_function mixed 'struct mixed mixed(long x)' mechanism=inline
conf_function floats 'struct floats floats(double x)' mechanism=inline
MEMO_DISABLE=1 "$prog" 60 >plain.out || fail "plain run"
for run in 1 2; do
	under_memo "$prog" 60 >$run.out 2>$run.err || { cat $run.err; fail "run $run"; }
	! said $run.err || { cat $run.err; fail "run $run said something"; }
	same plain.out $run.out "run $run"
	for f in ints mixed floats; do
		expect_eq "$(stat_of stats.jsonl $f calls)" 120 "run $run: calls of '$f' through the entry"
		[ "$(stat_of stats.jsonl $f hits)" -gt 0 ] || fail "run $run: no hit of '$f'"
	done
done
expect_eq "$(stat_of stats.jsonl mixed misses)" 0 "the second run's misses of 'mixed'"
exit 0
