#!/usr/bin/env bash
# Owns: the shared entry's register contract (src/patch/entry.S) against GCC -O2
# IPA-RA, under the real libmemo: callers keeping integer and vector values in
# caller-saved registers across calls to a memoized static function, and a
# caller that calls it on a misaligned stack, on misses and on hits. Same
# output as without libmemo, every call through the hook, for each way entry.S
# keeps vector state (MEMO_INLINE_VEC).
source "$TOP/tests/lib.sh"
prog="$P/inline/ipara"

# The program must really have the shapes tested (else this proves nothing).
dis() { objdump -d --no-show-raw-insn "$prog" | awk -v f="<$1>:" '$2 == f {p=1; next} p && /^$/ {exit} p'; }
dis keep_live >keep.s
dis unaligned >unal.s
[ -s keep.s ] && [ -s unal.s ] || skip "objdump did not show the callers"
grep -c 'call.*<leaf>' keep.s | grep -qx '[2-9]' || skip "keep_live does not call leaf"
grep -q '%rsp\|push' keep.s && skip "keep_live spills: no IPA-RA at this compiler"
grep -q '%xmm[3-9]\|%r\(8\|9\|10\|11\)' keep.s || skip "keep_live keeps nothing in caller-saved registers"
head -n 1 unal.s | grep -q 'call.*<leaf>' || skip "unaligned realigns its stack before calling leaf"

mkdir memo.d
printf '[function leaf]\nprototype = int leaf(int x)\nmechanism = inline\n' >memo.d/leaf.conf
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$prog" 50 >plain.out || fail "ipara without libmemo"
for vec in "" sse xsave; do
	note "vector state: ${vec:-default}"
	rm -rf cache stats.jsonl
	# Two runs: the first mixes misses and hits (leaf's arguments repeat),
	# the second is all hits.
	for n in first second; do
		MEMO_INLINE_VEC="$vec" under_memo "$prog" 50 >$n.out 2>$n.err ||
			{ cat $n.err; fail "${vec:-default}: $n run under libmemo"; }
		same plain.out $n.out "IPA-RA callers (${vec:-default}, $n run)"
		expect_eq "$(stat_of stats.jsonl leaf calls)" 250 "${vec:-default}: calls of leaf that reached its hook"
	done
	expect_eq "$(stat_of stats.jsonl leaf hits)" 250 "${vec:-default}: hits in the second run"
done
exit 0
