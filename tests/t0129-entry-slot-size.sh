#!/usr/bin/env bash
# t0129: entry.S's vector save slots (src/patch/entry_cpu.c), sized for the
# form entry.S writes: XSAVEC's compacted form from the registers' widths
# alone (576 + 256 AVX + 64 opmasks + 512 + 1024 AVX-512), with no CPUID at
# start-up (a VM exit each, ~7 us on this project's VM; four were asked,
# one per component, and the slot sized for XSAVE's standard form); with
# MEMO_INLINE_VEC=xsave, the standard form's end as CPUID gives it. Seen in
# the mapping of a thread's 256 slots at its first call through the entry
# from a caller in the function's own object (strace); the program's
# output as without libmemo, in either mode.
source "$TOP/tests/lib.sh"
command -v strace >/dev/null || skip "strace is not installed (tools/install-deps.sh test)"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime maps pages of its own"

# the CPU's XCR0 components entry.S keeps (entry_cpu.c XSAVE_KEPT), whether
# XSAVEC is there, and the standard form's end for them (CPUID 0xD)
cat >xstate.c <<'C'
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	unsigned a, b, c, d, lo, hi;
	uint64_t mask, end = 576;

	__cpuid(1, a, b, c, d);
	if (!(c >> 27 & 1)) {	/* no OSXSAVE */
		printf("0 0 0\n");
		return 0;
	}
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	mask = ((uint64_t)hi << 32 | lo) & (1u << 1 | 1u << 2 | 1u << 5 | 1u << 6 | 1u << 7);
	for (unsigned i = 2; i < 8; i++)
		if (mask >> i & 1) {
			__cpuid_count(0xd, i, a, b, c, d);
			if (a + b > end)
				end = a + b;
		}
	__cpuid_count(0xd, 1, a, b, c, d);
	printf("%#llx %u %llu\n", (unsigned long long)mask, a >> 1 & 1,
	       (unsigned long long)(end + 63) / 64 * 64);
	return 0;
}
C
gcc -O2 -o xstate xstate.c || fail "cannot build xstate"
read -r mask xsavec standard < <(./xstate)
[ "$mask" = 0xe6 ] && [ "$xsavec" = 1 ] || skip "no AVX-512 with XSAVEC here (XCR0 kept: $mask)"

# A caller in the function's own object: the entry saves its vector
# state (a caller in another object has none saved, so maps no slots).
cat >calls.c <<'C'
#include <stdio.h>

__attribute__((noinline)) int triple(int j)
{
	int s = 0;

	for (int i = 0; i < 3; i++)	/* long enough for the entry's jump */
		s += j + (j > 1000 ? i * j / 7 : 0);
	return s;
}

int main(void)
{
	int (*volatile f)(int) = triple;	/* a call, not triple inlined */

	printf("%d %d\n", f(-3), f(-3));
	return 0;
}
C
gcc -O2 -o calls calls.c || fail "cannot build calls"
./calls >plain.out

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
conf_function triple 'int triple(int j)'
slots() {	# slots NAME: the length of the slots' mapping in NAME.trace
	grep -o 'mmap(NULL, [0-9]*, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE' \
		"$1.trace" | grep -o '[0-9][0-9]*' | head -1
}
for run in xsavec:$((576 + 256 + 64 + 512 + 1024)) xsave:$standard; do
	mode=${run%%:*} size=${run#*:}
	MEMO_INLINE_VEC=$mode MEMO_LOG=info strace -f -o "$mode.trace" -e trace=mmap \
		-E LD_PRELOAD="$PRELOAD" ./calls >"$mode.out" 2>"$mode.err" ||
		{ cat "$mode.err"; fail "$mode: the program failed"; }
	same plain.out "$mode.out" "$mode: output"
	grep -q "'triple' memoized" "$mode.err" || { cat "$mode.err"; fail "$mode: triple not memoized"; }
	expect_eq "$(slots "$mode")" $((256 * size)) "$mode: the slots' mapping (256 of $size bytes)"
done
exit 0
