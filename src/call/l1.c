/*
 * l1: the in-process first level (see l1.h for the contract): the table,
 * probes and writes; reads are in l1_hit.c, the slot format in l1_slot.h.
 *
 * The table is L1_SLOTS slots of L1_SLOT_SIZE bytes, direct-mapped by tag.
 * Each slot is guarded by a sequence counter: odd while a writer is inside.
 *   reader: s = seq (acquire); odd → miss; copy header and bytes; fence;
 *           seq unchanged → the copy is consistent, else miss
 *   writer: CAS seq from even s to s+1 (fails → someone else writes: skip);
 *           write; seq = s+2 (release)
 * Readers never block writers nor each other; a torn copy is detected and
 * discarded before anything reaches the caller.
 */
#include "call/l1.h"

#include <string.h>
#include <sys/mman.h>

#include "call/l1_slot.h"
#include "config/proto.h"
#include "config/types.h"
#include "store/cxx_layout.h"

struct slot *l1_table;

#define TABLE_BYTES ((size_t)L1_SLOTS * L1_SLOT_SIZE)
#define MAP_BYTES (TABLE_BYTES + L1_HINTS_BYTES)

/* The table on one 2 MiB page where the kernel gives them on request: a
 * probe of a slot not used lately then misses the cache, but not the TLB
 * too (under a hypervisor, a TLB miss walks two sets of page tables). The
 * hints follow it (l1_slot.h). */
static void *table_map(void)
{
	uint8_t *m = mmap(NULL, 2 * TABLE_BYTES + L1_HINTS_BYTES, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t at;

	if (m == MAP_FAILED)
		return NULL;
	at = ((uintptr_t)m + TABLE_BYTES - 1) & ~(uintptr_t)(TABLE_BYTES - 1);
	if (at > (uintptr_t)m)
		munmap(m, at - (uintptr_t)m);
	munmap((void *)(at + MAP_BYTES), (uintptr_t)m + TABLE_BYTES - at);
	madvise((void *)at, TABLE_BYTES, MADV_HUGEPAGE);
	return (void *)at;
}

static struct slot *table_get(void)
{
	struct slot *t = __atomic_load_n(&l1_table, __ATOMIC_ACQUIRE);
	void *m;

	if (t)
		return t;
	m = table_map();
	if (!m)
		return NULL;
	if (!__atomic_compare_exchange_n(&l1_table, &t, m, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		munmap(m, MAP_BYTES);
		return t;
	}
	return m;
}

/* n values of a struct or complex with padding, run by run (its padding,
 * whatever the caller left there, is no part of the call). */
static int append_runs(struct l1_probe *pr, const uint8_t *p, uint64_t n, const struct scalar_type *t)
{
	for (uint64_t i = 0; i < n; i++)
		for (int r = 0; r < t->def->nruns; r++)
			if (l1_append(pr, p + i * t->size + t->def->run[r].off, t->def->run[r].len) < 0)
				return -1;
	return 0;
}

int l1_probe(const struct hook *h, void *const *args, struct l1_probe *pr)
{
	const struct proto *p = &h->fn->proto;
	int i;

	l1_image_start(pr, h, p->uses_float ? __builtin_ia32_stmxcsr() : 0);
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		const void *ptr;
		uint64_t count;
		uint8_t tag;

		if (a->ignored || a->kind == ARG_OPAQUE)
			continue;
		if (a->kind == ARG_SCALAR) {
			if (a->type.def && a->type.def->padded ? append_runs(pr, args[i], 1, &a->type) < 0 :
			    l1_append(pr, args[i], a->type.bits) < 0)
				return -1;
			continue;
		}
		ptr = *(void *const *)args[i];
		tag = ptr != NULL;
		if (a->kind == ARG_REF) {	/* its value's bytes, never padding */
			if (!ptr || l1_append(pr, ptr, a->type.bits) < 0)
				return -1;
			continue;
		}
		if (a->kind == ARG_STRING)
			count = ptr ? strlen(ptr) : 0;
		else if (a->kind == ARG_CXX_VECTOR || a->kind == ARG_CXX_STRING) {
			if (cxx_layout_contents(a, ptr, &ptr, &count) < 0)
				return -1;
		} else if (len_eval(&a->len, p, args, &count) < 0 ||
			 __builtin_mul_overflow(count, (uint64_t)a->type.size, &count))
			return -1;
		if (l1_append(pr, &tag, 1) < 0 || l1_append(pr, &count, sizeof count) < 0)
			return -1;
		if (!ptr || a->kind == ARG_OUT)
			continue;
		if (count > L1_IMAGE_MAX)
			return -1;
		if (a->type.def && a->type.def->padded ? append_runs(pr, ptr, count / a->type.size, &a->type) < 0 :
		    l1_append(pr, ptr, count) < 0)
			return -1;
	}
	return l1_image_finish(pr, h);
}

void l1_prefetch(const struct l1_probe *pr)
{
	struct slot *t = __atomic_load_n(&l1_table, __ATOMIC_ACQUIRE);
	const uint8_t *s;
	size_t end = offsetof(struct slot, data) + pr->len + 64;	/* and a small value */

	if (!t)
		return;
	s = (const uint8_t *)&t[pr->tag & (L1_SLOTS - 1)];
	for (size_t at = 0; at < end && at < L1_SLOT_SIZE; at += 64)
		__builtin_prefetch(s + at, 1);
}

void l1_put(const struct l1_probe *pr, const struct value_meta *meta,
	    const struct iovec *parts, int nparts)
{
	struct slot *t, *s;
	uint64_t seq;
	size_t off, total = (size_t)nparts * 4;
	int i;

	for (i = 0; i < nparts; i++)
		total += parts[i].iov_len;
	if (pr->len + total > sizeof s->data || !(t = table_get()))
		return;
	s = &t[pr->tag & (L1_SLOTS - 1)];
	seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	if ((seq & 1) || !__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, 0,
						      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	s->tag = pr->tag;
	s->hook = pr->hook;
	s->image_len = (uint16_t)pr->len;
	s->value_len = (uint16_t)total;
	s->nparts = (uint16_t)nparts;
	s->flags = meta->flags;
	s->saved_errno = meta->saved_errno;
	s->ns_saved = (uint64_t)(meta->seconds * 1e9);
	__atomic_store_n(&l1_hints(t)[pr->tag & (L1_SLOTS - 1)], l1_hint_of(pr->tag),
			 __ATOMIC_RELAXED);
	memcpy(s->data, pr->image, pr->len);
	off = pr->len;
	for (i = 0; i < nparts; i++) {
		uint32_t len = (uint32_t)parts[i].iov_len;
		memcpy(s->data + off + (size_t)i * 4, &len, 4);
	}
	off += (size_t)nparts * 4;
	for (i = 0; i < nparts; i++) {
		if (parts[i].iov_len)
			memcpy(s->data + off, parts[i].iov_base, parts[i].iov_len);
		off += parts[i].iov_len;
	}
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

void l1_forget(const struct hook *h)
{
	struct slot *t = __atomic_load_n(&l1_table, __ATOMIC_ACQUIRE);
	uint64_t seq;

	for (size_t i = 0; t && i < L1_SLOTS; i++) {
		struct slot *s = &t[i];
		/* a slot never written (seq 0) is left untouched: no page of the
		 * table is made resident for nothing */
		if (!__atomic_load_n(&s->seq, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&s->hook, __ATOMIC_RELAXED) != (uint32_t)h->index)
			continue;
		/* a writer inside finishes in a few copies: wait for it */
		do
			seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED) & ~1ull;
		while (!__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, 0, __ATOMIC_ACQUIRE,
						    __ATOMIC_RELAXED));
		if (s->hook == (uint32_t)h->index)
			s->hook = UINT32_MAX;	/* no hook's index: never matches */
		__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
	}
}
