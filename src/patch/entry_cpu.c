/*
 * entry_cpu: entry.S's vector-state layout (entry_cpu.h), from CPUID, XCR0
 * and MEMO_INLINE_VEC.
 */
#include "patch/entry_cpu.h"

#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

/* Hidden: entry.S reads them %rip-relative, which a shared object allows
 * only for symbols it does not export. */
uint64_t entry_cpu_xsave_size __attribute__((visibility("hidden")));
uint64_t entry_cpu_xsave_mask __attribute__((visibility("hidden")));
uint8_t entry_cpu_vec_mode __attribute__((visibility("hidden")));

void entry_cpu_init(void)
{
	unsigned a, b, c, d;

	if (entry_cpu_xsave_size)
		return;
	/* XSAVE usable when the CPU has it and the kernel enabled it (OSXSAVE). */
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE) && (c & bit_XSAVE)) {
		unsigned lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		/* SSE, AVX and the AVX-512 state; not x87 (st(0) carries long
		 * double results), not MPX (gone), PKRU or AMX tiles (never kept
		 * in registers across a call). */
		entry_cpu_xsave_mask = ((uint64_t)hi << 32 | lo) & 0xe6;
		__cpuid_count(0xd, 0, a, b, c, d);
		entry_cpu_xsave_size = ((uint64_t)b + 63) / 64 * 64 + 64;
		/* SSE and AVX only (no AVX-512): entry.S stores the ymm halves
		 * itself, in the same layout, far faster than XSAVE/XRSTOR. */
		entry_cpu_vec_mode = entry_cpu_xsave_mask == 0x6 ? 1 : 2;
		if (entry_cpu_xsave_size < 576 + 256)
			entry_cpu_xsave_size = 576 + 256;
	} else {
		/* MXCSR at 24 and XMM0-15 at 160, as in the XSAVE legacy region. */
		entry_cpu_xsave_size = 512 + 64;
	}
	/* MEMO_INLINE_VEC=sse|avx|xsave picks a slower mode the CPU also has,
	 * so the tests run every path of entry.S on one machine. */
	const char *v = getenv("MEMO_INLINE_VEC");
	if (v && !strcmp(v, "sse") && entry_cpu_vec_mode != 2)
		entry_cpu_vec_mode = 0;
	else if (v && !strcmp(v, "xsave") && entry_cpu_xsave_mask)
		entry_cpu_vec_mode = 2;
}
