/*
 * entry: the layouts shared by the register-saving entry (entry.S), which
 * builds them, inline.c, which fills each hook's descriptor at prepare, and
 * l1_hit.c, which serves an l1 hit from the frame before any vector state is
 * saved. Included by assembly too: plain macros outside the C part.
 */
#ifndef MEMO_ENTRY_H
#define MEMO_ENTRY_H

/* struct inline_desc, by offset */
#define DESC_ENTRY	0
#define DESC_STACK	8
#define DESC_KEEP	16
#define DESC_HIT	24
#define DESC_CALL	32
#define DESC_CALLER_LO	40
#define DESC_CALLER_SPAN 48

/* Which return registers a result replaces (desc->keep). */
#define KEEP_RAX	1
#define KEEP_RDX	2
#define KEEP_XMM0	4
#define KEEP_XMM1	8

/*
 * The frame entry.S hands l1_entry_hit, from its base upwards: the low 8
 * bytes of xmm0-7, MXCSR, the result slot, then the registers entry.S pushed
 * (r15 first, up to the flags), the saved %rbp, the descriptor, the return
 * address and the caller's stack arguments. %rbp = base + FRAME_RBP.
 * After a miss of l1_entry_hit, the result slot holds the mark of the probe
 * it handed to the full path (scratch.h's entry_probe), or 0: call_entry
 * reads it before anything writes a result there.
 */
#define FRAME_XMM0	0
#define FRAME_MXCSR	64
#define FRAME_RET	72
#define FRAME_SIZE	80	/* the part below the pushed registers */
#define FRAME_RBP	(FRAME_SIZE + 120)
#define FRAME_GPR(k)	(FRAME_RBP - 8 * (k))	/* k-th push after %rbp: 2 = rax ... 15 = r15 */
#define FRAME_STACK_ARGS (FRAME_RBP + 24)

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "find/hook.h"
#include "config/proto.h"

/* What entry.S and l1_hit.c read for one hook; written by inline.c at
 * prepare (entry at install), read-only after. */
struct inline_desc {
	void *entry;		/* h->entry */
	uint64_t stack_bytes;	/* caller's stack-argument area, multiple of 16 */
	uint64_t keep;		/* KEEP_* */
	int (*hit)(const struct inline_desc *d, uint8_t *frame);	/* h->entry_hit */
	void (*call)(const struct inline_desc *d, uint8_t *frame);	/* h->entry_call */
	/* The code of the hooked function's object: a caller whose return
	 * address is there, caller_lo + [0, caller_span), gets its vector
	 * registers back (GCC's IPA-RA may keep values in them across a call
	 * inside an object); any other follows the psABI, which leaves them
	 * all to the callee, and gets MXCSR back only (entry.S). Unknown: 0
	 * and UINTPTR_MAX, every caller's are kept. */
	uintptr_t caller_lo, caller_span;
	struct hook *h;
	/* where each argument lies, as an offset from the frame's base */
	uint16_t arg_at[PROTO_MAX_ARGS];
};

_Static_assert(__builtin_offsetof(struct inline_desc, entry) == DESC_ENTRY, "desc");
_Static_assert(__builtin_offsetof(struct inline_desc, stack_bytes) == DESC_STACK, "desc");
_Static_assert(__builtin_offsetof(struct inline_desc, keep) == DESC_KEEP, "desc");
_Static_assert(__builtin_offsetof(struct inline_desc, hit) == DESC_HIT, "desc");
_Static_assert(__builtin_offsetof(struct inline_desc, call) == DESC_CALL, "desc");
_Static_assert(__builtin_offsetof(struct inline_desc, caller_lo) == DESC_CALLER_LO, "desc");
_Static_assert(__builtin_offsetof(struct inline_desc, caller_span) == DESC_CALLER_SPAN, "desc");

/* l1_hit.c: called by entry.S (as desc->hit) with the frame above, before
 * anything else runs. 1 when the call was served from l1 (result in the frame's result
 * slot, errno and the counters set), 0 to take the full path (the slot then
 * holds the mark above). Touches only
 * general registers and memory (built with -mgeneral-regs-only and checked
 * to call nothing), so the vector state needs no saving around it. */
int l1_entry_hit(const struct inline_desc *d, uint8_t *frame);
#endif

#endif
