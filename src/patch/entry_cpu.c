/*
 * entry_cpu: entry.S's vector-state layout (entry_cpu.h), from CPUID, XCR0
 * and MEMO_INLINE_VEC.
 */
#include "patch/entry_cpu.h"

#include <cpuid.h>
#include <stdlib.h>
#include <string.h>
#include <sys/platform/x86.h>

/* Hidden: entry.S reads them %rip-relative, which a shared object allows
 * only for symbols it does not export. */
uint64_t entry_cpu_xsave_size __attribute__((visibility("hidden")));
uint64_t entry_cpu_xsave_mask __attribute__((visibility("hidden")));
uint8_t entry_cpu_vec_mode __attribute__((visibility("hidden")));

/*
 * The XCR0 components a caller may keep live across a call, so the entry
 * saves them: SSE (bit 1: XMM, MXCSR), AVX (bit 2: the YMM upper halves) and
 * AVX-512 (bits 5-7: opmask, the ZMM upper halves, ZMM16-31). Not x87 (bit
 * 0: st(0) carries long double results, and the x87 stack is empty at a
 * call), not MPX (3, 4: gone), PKRU (9) or the AMX tiles (17 XTILECFG, 18
 * XTILEDATA): the psABI makes the tiles caller-saved and no compiler keeps
 * them live across a call, and XSAVE of loaded tile data alone is 8 KiB.
 */
#define XSAVE_KEPT	(1u << 1 | 1u << 2 | 1u << 5 | 1u << 6 | 1u << 7)
/* The legacy region (512) and the XSAVE header (64): where the standard form
 * puts MXCSR (24), XMM0-15 (160) and XSTATE_BV (512). */
#define XSAVE_LEGACY_HEADER	576

/* The bytes the standard (non-compacted) form of XSAVE, which entry.S uses,
 * writes for the components in mask: up to the end of the last one, each
 * component's offset and size from its CPUID 0xD sub-leaf. Not CPUID 0xD.0's
 * EBX, which sizes every component XCR0 enables, AMX tile data included. */
static uint64_t standard_size(uint64_t mask)
{
	unsigned a, b, c, d;
	uint64_t end = XSAVE_LEGACY_HEADER;

	for (unsigned i = 2; i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		__cpuid_count(0xd, i, a, b, c, d);
		if ((uint64_t)a + b > end)
			end = (uint64_t)a + b;
	}
	return (end + 63) / 64 * 64;
}

/* The bytes XSAVEC's compacted form writes for the components in mask:
 * after the legacy region and the header, each in turn, its size the
 * width of its registers (AVX: 16 ymm upper halves; AVX-512: 8 opmasks,
 * 16 zmm upper halves, zmm16-31 whole), none padded (each a multiple of
 * 64, as 576 is, so a component that asks for 64-byte alignment has it).
 * No CPUID, where standard_size asks one per component. */
static uint64_t compacted_size(uint64_t mask)
{
	static const uint16_t size[8] = { [2] = 16 * 16, [5] = 8 * 8, [6] = 16 * 32, [7] = 16 * 64 };
	uint64_t end = XSAVE_LEGACY_HEADER;

	for (unsigned i = 2; i < 8; i++)
		if (mask >> i & 1)
			end += size[i];
	return end;
}

void entry_cpu_init(void)
{
	if (entry_cpu_xsave_size)
		return;
	/* XSAVE usable when the CPU has it and the kernel enabled it
	 * (OSXSAVE): glibc's record of CPUID leaf 1, as a CPUID is a VM exit
	 * under a hypervisor (~2 us each; ~7 us on this project's VM). */
	if (CPU_FEATURE_PRESENT(XSAVE) && CPU_FEATURE_PRESENT(OSXSAVE)) {
		unsigned lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		entry_cpu_xsave_mask = ((uint64_t)hi << 32 | lo) & XSAVE_KEPT;
		/* SSE and AVX only (no AVX-512): entry.S stores the ymm halves
		 * itself, in the same layout, far faster than XSAVE/XRSTOR.
		 * Else XSAVEC where the CPU has it: the compacted form, only the
		 * components the caller uses, without the gaps (on this
		 * project's AVX-512 VM, an l1 hit through the entry's full path
		 * took 196 ns against XSAVE's 212). */
		entry_cpu_vec_mode = entry_cpu_xsave_mask == 0x6 ? 1 :
				     CPU_FEATURE_PRESENT(XSAVEC) ? 3 : 2;
	}
	/* MEMO_INLINE_VEC=sse|xsave|xsavec picks another mode the CPU also
	 * has, so the tests run every path of entry.S on one machine. */
	const char *v = getenv("MEMO_INLINE_VEC");
	if (v && !strcmp(v, "sse") && entry_cpu_vec_mode < 2)
		entry_cpu_vec_mode = 0;
	else if (v && !strcmp(v, "xsave") && entry_cpu_xsave_mask)
		entry_cpu_vec_mode = 2;
	else if (v && !strcmp(v, "xsavec") && entry_cpu_xsave_mask && CPU_FEATURE_PRESENT(XSAVEC))
		entry_cpu_vec_mode = 3;
	/* The slot's size for the mode taken: XSAVE's standard form puts each
	 * component where CPUID says (a CPUID each); the others are sized
	 * from the registers alone (by hand, the ymm halves at 576, as the
	 * standard form has them), 576 + 256 at least where XSAVE is usable.
	 * Without it: MXCSR at 24 and XMM0-15 at 160, the legacy region's
	 * places. */
	if (!entry_cpu_xsave_mask)
		entry_cpu_xsave_size = XSAVE_LEGACY_HEADER;
	else if (entry_cpu_vec_mode == 2)
		entry_cpu_xsave_size = standard_size(entry_cpu_xsave_mask);
	else
		entry_cpu_xsave_size = compacted_size(entry_cpu_xsave_mask);
	if (entry_cpu_xsave_mask && entry_cpu_xsave_size < XSAVE_LEGACY_HEADER + 256)
		entry_cpu_xsave_size = XSAVE_LEGACY_HEADER + 256;
}
