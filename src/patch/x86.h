/*
 * x86: the x86-64 instruction work of entry patching, with Zydis: decoding the
 * instructions a jump at a function's entry displaces, scanning the whole
 * function for what forbids patching it, and relocating each displaced
 * instruction into a trampoline, with what is relative to where it ran
 * rewritten for where it will run.
 * Calls hook (hook_refuse), Zydis (loaded at the first decode:
 * src/find/zydis_calls.c; x86_relocate and x86_needs need none). Reads
 * code, writes only the caller's buffer, allocates nothing. Start-up and dlopen only, under runtime_lock
 * (and `memo inspect`, single-threaded); never on the hot path.
 *
 * Usage, as inline.c uses it (n: the bytes a 5-byte jump at `at` displaces;
 * decode_cache.c may give `e` instead of the first two calls):
 *
 *     if (x86_displaced(h, at, avail, 5, &e) < 0 || x86_scan(h, "", lo, size, at, e.n) < 0)
 *             return -1;
 *     x86_needs(&e, at, need, &nneed, 8);
 *     for (int i = 0, off = 0; i < e.ninsn; off += e.insn[i++].len)
 *             if ((pos = x86_relocate(h, at + off, &e.insn[i], buf, pos, cap, run,
 *                                     &call_end)) < 0)
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

/* What relocating one instruction needs to know of it: all that Zydis is
 * asked, so that a plan kept from an earlier decode (decode_cache.c) is
 * relocated without Zydis. A target is computed from the instruction's own
 * bytes: its end plus the signed field. */
enum x86_kind {
	X86_COPY,	/* nothing relative: copied as it is */
	X86_JMP,	/* a relative jmp: field is its displacement */
	X86_CALL,	/* a relative call */
	X86_JCC,	/* a conditional jump (70-7f, 0f 80-8f): cc its condition */
	X86_RIPREL,	/* a rip-relative memory operand: field is its disp32 */
	X86_BAD,	/* relative, with no long form (loop, jrcxz, xbegin...): refused */
};

struct x86_insn {
	uint8_t len;		/* its bytes */
	uint8_t kind;		/* enum x86_kind */
	uint8_t field;		/* where its relative field starts, from its first byte */
	uint8_t size;		/* the field's bytes: 1, 2 or 4 */
	uint8_t cc;		/* X86_JCC: the condition, 0-15 */
	uint16_t mnemonic;	/* X86_BAD: Zydis's mnemonic, for the refusal */
};

#define X86_MAX_DISPLACED 8

/* The instructions a jump at a function's entry displaces. */
struct x86_entry {
	int n;			/* their bytes, the jump's length or more */
	int ninsn;
	struct x86_insn insn[X86_MAX_DISPLACED];
};

/* Decode the instructions that begin in the first `min` bytes at `at`
 * (`avail` bytes readable there) into *e. 0, or -1 refused (hook_refuse). */
int x86_displaced(struct hook *h, uintptr_t at, size_t avail, int min, struct x86_entry *e);

/* Append to need[] (while *nneed < max) the addresses the rip-relative
 * operands of e's instructions at `at` reach, which a trampoline must
 * still reach. */
void x86_needs(const struct x86_entry *e, uintptr_t at, uintptr_t *need, int *nneed, int max);

/* Decode [lo, lo+size) whole: refuse a branch into (at, at+n), the patched
 * bytes past the first, and GCC's variadic prologue. `part` names the range
 * in the refusal's text ("" for the function, ".cold" for its cold part).
 * 0, or -1 refused (hook_refuse). */
int x86_scan(struct hook *h, const char *part, uintptr_t lo, size_t size,
	     uintptr_t at, int n);

/* Relocate the instruction `in` at `src` to buf+pos, where buf has `cap`
 * bytes and runs at `run`. Returns the new pos, or -1 refused (hook_refuse);
 * for a call, sets *call_end to where the relocated call returns to, as an
 * offset in buf (the crash handler looks for it on the stack). Calls no
 * Zydis but for a refusal's text. */
int x86_relocate(struct hook *h, uintptr_t src, const struct x86_insn *in, uint8_t *buf,
		 int pos, int cap, uintptr_t run, int *call_end);

/* Write at buf+pos the rel32 that goes from `from_end`, the end of its
 * instruction, to `to`. 0, or -1 when `to` is out of reach (nothing written). */
int x86_put_rel32(uint8_t *buf, int pos, uintptr_t from_end, uintptr_t to);

/* Write `jmp [rip+0]; .quad to` at buf+pos: reaches anywhere, 14 bytes.
 * Returns pos + 14. */
int x86_put_abs_jmp(uint8_t *buf, int pos, uintptr_t to);

#endif
