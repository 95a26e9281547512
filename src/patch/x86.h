/*
 * x86: the x86-64 instruction work of entry patching, with Zydis: decoding the
 * instructions a jump at a function's entry displaces, scanning the whole
 * function for what forbids patching it, and relocating each displaced
 * instruction into a trampoline, with what is relative to where it ran
 * rewritten for where it will run.
 * Calls hook (hook_refuse), Zydis. Reads code, writes only the caller's
 * buffer, allocates nothing. Start-up and dlopen only, under runtime_lock
 * (and `memo inspect`, single-threaded); never on the hot path.
 *
 * Usage, as inline.c uses it (n: the bytes a 5-byte jump at `at` displaces):
 *
 *     n = x86_displaced(h, at, avail, 5, need, &nneed, 8);
 *     if (n < 0 || x86_scan(h, "", lo, size, at, n) < 0)
 *             return -1;
 *     for (int off = 0, len; off < n; off += len)
 *             if ((pos = x86_relocate(h, at + off, n - off, buf, pos, cap, run,
 *                                     &len, &call_end)) < 0)
 *                     return -1;
 *
 * Each refusal is hook_refuse's (REFUSE_UNDECODABLE, REFUSE_BACK_JUMP,
 * REFUSE_VARIADIC, REFUSE_UNRELOCATABLE, REFUSE_OUT_OF_REACH), its text
 * naming the offset from h->target.
 */
#ifndef MEMO_X86_H
#define MEMO_X86_H

#include <stddef.h>
#include <stdint.h>

#include "find/hook.h"

/* The instructions that begin in the first `min` bytes at `at` (`avail`
 * bytes readable there): returns their length, `min` or more, and appends to
 * need[] (while *nneed < max) the addresses their rip-relative operands
 * reach, which a trampoline must still reach. -1 refused (hook_refuse). */
int x86_displaced(struct hook *h, uintptr_t at, size_t avail, int min,
		  uintptr_t *need, int *nneed, int max);

/* Decode [lo, lo+size) whole: refuse a branch into (at, at+n), the patched
 * bytes past the first, and GCC's variadic prologue. `part` names the range
 * in the refusal's text ("" for the function, ".cold" for its cold part).
 * 0, or -1 refused (hook_refuse). */
int x86_scan(struct hook *h, const char *part, uintptr_t lo, size_t size,
	     uintptr_t at, int n);

/* Relocate the instruction at `src` (`avail` bytes readable there) to
 * buf+pos, where buf has `cap` bytes and runs at `run`. Sets *len to its
 * length at src. Returns the new pos, or -1 refused (hook_refuse); for a
 * call, sets *call_end to where the relocated call returns to, as an offset
 * in buf (the crash handler looks for it on the stack). */
int x86_relocate(struct hook *h, uintptr_t src, size_t avail, uint8_t *buf, int pos,
		 int cap, uintptr_t run, int *len, int *call_end);

/* Write at buf+pos the rel32 that goes from `from_end`, the end of its
 * instruction, to `to`. 0, or -1 when `to` is out of reach (nothing written). */
int x86_put_rel32(uint8_t *buf, int pos, uintptr_t from_end, uintptr_t to);

/* Write `jmp [rip+0]; .quad to` at buf+pos: reaches anywhere, 14 bytes.
 * Returns pos + 14. */
int x86_put_abs_jmp(uint8_t *buf, int pos, uintptr_t to);

#endif
