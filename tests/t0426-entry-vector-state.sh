#!/usr/bin/env bash
# Owns: the entry's save and restore of the caller's whole vector state
# (src/patch/entry.S, entry_cpu.c) where the CPU has AVX-512: zmm0-31, the
# opmasks and MXCSR, patterned, all zero (the SSE and AVX state initial, so
# that XSAVEC skips it) with MXCSR initial and not, across memoized calls
# returning in %rax and in %xmm0, on misses, l1 hits and store hits, for
# each way entry.S keeps vector state (the default: XSAVEC where the CPU has
# it). The same output as without libmemo: no register but the result's
# changed.
source "$TOP/tests/lib.sh"
prog="$P/inline/vecstate"

MEMO_DISABLE=1 "$prog" 8 >plain.out 2>plain.err || { cat plain.out; fail "vecstate without libmemo"; }
grep -qx "no avx512f" plain.out && skip "no AVX-512 on this CPU"
expect_eq "$(cat plain.err)" "body runs: vleaf_i 24 vleaf_d 24" "body runs without libmemo"

mkdir memo.d
printf '[function vleaf_i]\nprototype = long vleaf_i(long x)\nmechanism = inline\n' >memo.d/vleaf_i.conf
printf '[function vleaf_d]\nprototype = double vleaf_d(long x)\nmechanism = inline\n' >memo.d/vleaf_d.conf
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

modes="'' xsave"
grep -qw xsavec /proc/cpuinfo && modes="'' xsavec xsave"
for vec in $modes; do
	vec=${vec//\'/}
	note "vector state: ${vec:-default}"
	rm -rf cache
	# The first run: misses (vleaf_i's 5 arguments; vleaf_d's under two
	# roundings, as its key has MXCSR's) and l1 hits; the
	# second: every call a hit, the first of each argument from the store.
	for n in first second; do
		MEMO_INLINE_VEC="$vec" MEMO_LOG=info under_memo "$prog" 8 >$n.out 2>$n.err ||
			{ cat $n.out $n.err; fail "${vec:-default}: $n run under libmemo"; }
		for f in vleaf_i vleaf_d; do
			grep -q "^libmemo: '$f' memoized" $n.err || { cat $n.err; fail "'$f' not memoized"; }
		done
		same plain.out $n.out "registers across calls (${vec:-default}, $n run)"
	done
	expect_eq "$(grep '^body runs' first.err)" "body runs: vleaf_i 5 vleaf_d 10" "${vec:-default}: first run's body runs"
	expect_eq "$(grep '^body runs' second.err)" "body runs: vleaf_i 0 vleaf_d 0" "${vec:-default}: second run's body runs"
done
exit 0
