/*
 * l1_hit: reading the in-process first level (l1.h; the protocol is in
 * l1.c), for the call path and for the inline entry's early hit.
 * Built with -mgeneral-regs-only and without sanitizers, and the build
 * checks that the object calls nothing and names no vector register: entry.S
 * calls l1_entry_hit before saving any vector state, so on a hit the caller's
 * vector registers (which GCC's IPA-RA may keep live across the call) are
 * never touched, and the costly vector save (XSAVE with AVX-512) is skipped.
 * Any thread, no lock, no allocation; fork-safe.
 */
#include "call/l1.h"

#include "call/entry.h"
#include "call/l1_slot.h"
#include "call/runtime.h"
#include "call/scratch.h"

__thread int *l1_errno;

/* l1_get, also for l1_entry_hit: a call to it would be a relocation the
 * build's check refuses; a static function is checked with this object. */
static int get(const struct l1_probe *pr, uint8_t *space, size_t cap,
	       struct l1_found *f, struct iovec *parts, int nparts)
{
	struct slot *t = __atomic_load_n(&l1_table, __ATOMIC_ACQUIRE), *s;
	uint64_t seq;
	uint32_t lens[VALUE_MAX_PARTS];
	size_t off, need;
	uint16_t value_len;
	int i;

	if (!t || __atomic_load_n(&l1_hints(t)[pr->tag & (L1_SLOTS - 1)], __ATOMIC_RELAXED) !=
		  l1_hint_of(pr->tag))
		return 0;
	s = &t[pr->tag & (L1_SLOTS - 1)];
	seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if ((seq & 1) || s->tag != pr->tag || s->hook != pr->hook ||
	    s->image_len != pr->len || s->nparts != nparts)
		return 0;
	value_len = s->value_len;
	need = (size_t)nparts * 4;
	if (value_len < need || value_len > cap || pr->len + value_len > sizeof s->data ||
	    !l1_same(s->data, pr->image, pr->len))
		return 0;
	l1_copy(space, s->data + pr->len, value_len);
	f->flags = s->flags;
	f->saved_errno = s->saved_errno;
	f->ns_saved = s->ns_saved;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq)
		return 0;

	l1_copy((uint8_t *)lens, space, need);
	off = need;
	for (i = 0; i < nparts; i++) {
		if (lens[i] > value_len - off)
			return 0;
		parts[i].iov_base = space + off;
		parts[i].iov_len = lens[i];
		off += lens[i];
	}
	return off == value_len;
}

int l1_get(const struct l1_probe *pr, uint8_t *space, size_t cap,
	   struct l1_found *f, struct iovec *parts, int nparts)
{
	return get(pr, space, cap, f, parts, nparts);
}

/* A miss: hand pr to the call's full path (scratch.h's entry_probe), and
 * its mark to call_entry in the frame's result slot, which the full path
 * writes only after it has read it. No mark (0) when a signal handler's
 * call wrote the probe meanwhile: the full path builds its own. */
static void hand_over(const struct l1_probe *pr, uint8_t *frame)
{
	struct scratch *sc = scratch_mapped;
	uint64_t s, mark;
	bool kept;

	if (!sc)
		return;
	s = __atomic_load_n(&sc->entry_seq, __ATOMIC_RELAXED) + 1;
	__atomic_store_n(&sc->entry_seq, s, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	l1_copy((uint8_t *)&sc->entry_probe, (const uint8_t *)pr,
		offsetof(struct l1_probe, image) + pr->len);
	mark = s + 1;
	/* not locked: only this thread's signal handlers write here, and an
	 * instruction is never split by one */
	__asm__ volatile("cmpxchgq %3, %1"
			 : "=@ccz"(kept), "+m"(sc->entry_seq), "+a"(s)
			 : "r"(mark)
			 : "memory");
	if (kept)
		__builtin_memcpy(frame + FRAME_RET, &mark, 8);
}

/* What call.c does on an l1 hit (the call counted, the value restored,
 * errno as the call left it), for a hook whose calls qualify (closure.c
 * sets h->entry_hit in closure_prepare: scalar arguments, by value or by
 * reference, a scalar or no result, no rule that needs the full path on a
 * hit). Anything else: 0, and the full path runs. */
int l1_entry_hit(const struct inline_desc *d, uint8_t *frame)
{
	struct hook *h = d->h;
	const struct proto *p;
	struct l1_probe pr;
	struct l1_found f;
	struct iovec got;
	uint8_t space[16];	/* one part's length and a scalar of up to 8 bytes */
	int64_t v = 0;
	int *err = l1_errno;

	/* the result slot says a miss's mark (hand_over), 0 for none */
	__builtin_memset(frame + FRAME_RET, 0, 8);
	if (guard_taken() || !err || !runtime_ready() || !memo_store)
		return 0;
	p = &h->fn->proto;
	l1_image_start(&pr, h, *(const uint32_t *)(frame + FRAME_MXCSR));
	for (int i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		const uint8_t *src = frame + d->arg_at[i];

		if (a->ignored || (a->kind != ARG_SCALAR && a->kind != ARG_REF))
			continue;
		/* by reference: the value, as l1_probe appends it. NULL, or a
		 * value across a page (key_unreadable_arg's to check): the full path */
		if (a->kind == ARG_REF &&
		    (!(src = *(const uint8_t *const *)src) || ((uintptr_t)src & 4095) + a->type.size > 4096))
			return 0;
		if (l1_append(&pr, src, a->type.bits) < 0)
			return 0;
	}
	if (l1_image_finish(&pr, h) < 0)
		return 0;
	if (!get(&pr, space, sizeof space, &f, &got, 1) ||
	    got.iov_len != (p->ret_kind == RET_SCALAR ? p->ret.size : 0u)) {
		hand_over(&pr, frame);
		return 0;
	}
	/* As evaluate_put_return: integers narrower than 8 bytes widened with
	 * their signedness; the rest as stored. */
	l1_copy((uint8_t *)&v, got.iov_base, got.iov_len);
	if (p->ret.cls == SC_SINT)
		v = got.iov_len == 1 ? (int8_t)v : got.iov_len == 2 ? (int16_t)v :
		    got.iov_len == 4 ? (int32_t)v : v;
	__builtin_memcpy(frame + FRAME_RET, &v, 8);
	STAT_ADD(stats_mine(h->stats), calls, 1);
	STAT_ADD(stats_mine(h->stats), hits, 1);
	STAT_ADD(stats_mine(h->stats), ns_saved, f.ns_saved);
	*err = f.saved_errno;
	return 1;
}
