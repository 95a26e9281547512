/*
 * entry_cpu: how entry.S keeps this CPU's vector state, found once from
 * CPUID and XCR0 (and MEMO_INLINE_VEC). Owns the three variables entry.S
 * reads; inline.c calls entry_cpu_init before it makes the first stub, so
 * entry.S never depends on the file that patches, and nothing here calls
 * back. Start-up and dlopen only (under runtime_lock); the variables are
 * read-only once set, read by entry.S on the hot path from any thread.
 */
#ifndef MEMO_ENTRY_CPU_H
#define MEMO_ENTRY_CPU_H

#include <stdint.h>

/* The vector-state save area entry.S takes (a save slot, call/scratch.h, or
 * on the stack), in bytes, a multiple of 64 (0 until entry_cpu_init has
 * run), and the XSAVE component mask (0: no XSAVE). */
extern uint64_t entry_cpu_xsave_size;
extern uint64_t entry_cpu_xsave_mask;
/* 0 SSE only, 1 AVX (ymm halves stored by hand), 2 XSAVE/XRSTOR, 3 XSAVEC
 * (the compacted form)/XRSTOR. */
extern uint8_t entry_cpu_vec_mode;

/* Set the three above, once: later calls return at once. */
void entry_cpu_init(void);

#endif
