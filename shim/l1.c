/*
 * l1: the in-process first level (see l1.h for the contract).
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
#include "l1.h"

#include <string.h>
#include <sys/mman.h>

#include "proto.h"

#define L1_SLOTS 4096
#define L1_SLOT_SIZE 512

struct slot {
	uint64_t seq;
	uint64_t tag;
	uint32_t hook;
	uint16_t image_len;
	uint16_t value_len;	/* bytes after the image: parts, as below */
	int32_t saved_errno;
	uint16_t flags;
	uint16_t nparts;
	double seconds;
	/* image ‖ nparts × u32 part length ‖ part bytes */
	uint8_t data[L1_SLOT_SIZE - 40];
};

_Static_assert(sizeof(struct slot) == L1_SLOT_SIZE, "slot layout");

/* Mapped on the first put, never unmapped (threads may be reading). */
static struct slot *table;

static struct slot *table_get(int create)
{
	struct slot *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
	void *m;

	if (t || !create)
		return t;
	m = mmap(NULL, (size_t)L1_SLOTS * L1_SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (!__atomic_compare_exchange_n(&table, &t, m, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		munmap(m, (size_t)L1_SLOTS * L1_SLOT_SIZE);
		return t;
	}
	return m;
}

/* A fast 64-bit hash (multiply-xorshift over 8-byte words): a tag to find
 * the slot, never trusted for equality. */
static uint64_t fast_hash(const uint8_t *p, size_t n, uint64_t seed)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = seed ^ (n * k), w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ (w * k)) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = (h ^ (w * k)) * 0x94d049bb133111ebull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static int append(struct l1_probe *pr, const void *src, size_t n)
{
	if (n > L1_IMAGE_MAX - pr->len)
		return -1;
	memcpy(pr->image + pr->len, src, n);
	pr->len += n;
	return 0;
}

int l1_probe(const struct hook *h, void *const *args, struct l1_probe *pr)
{
	const struct proto *p = &h->fn->proto;
	int i;

	pr->len = 0;
	pr->hook = (uint32_t)(h - hooks);
	if (p->uses_float) {
		uint32_t mode = __builtin_ia32_stmxcsr() & 0xe040u;
		append(pr, &mode, sizeof mode);
	}
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		const void *ptr;
		uint64_t count;
		uint8_t tag;

		if (a->ignored || a->kind == ARG_OPAQUE)
			continue;
		if (a->kind == ARG_SCALAR) {
			if (append(pr, args[i], a->type.bits) < 0)
				return -1;
			continue;
		}
		ptr = *(void *const *)args[i];
		tag = ptr != NULL;
		if (a->kind == ARG_STRING)
			count = ptr ? strlen(ptr) : 0;
		else if (len_eval(&a->len, p, args, &count) < 0 ||
			 __builtin_mul_overflow(count, (uint64_t)a->type.size, &count))
			return -1;
		if (append(pr, &tag, 1) < 0 || append(pr, &count, sizeof count) < 0)
			return -1;
		if (ptr && a->kind != ARG_OUT && (count > L1_IMAGE_MAX || append(pr, ptr, count) < 0))
			return -1;
	}
	for (i = 0; i < h->nglobals; i++)
		if (append(pr, h->globals[i].iov_base, h->globals[i].iov_len) < 0)
			return -1;
	pr->tag = fast_hash(pr->image, pr->len, pr->hook);
	return 0;
}

int l1_get(const struct l1_probe *pr, uint8_t *space, size_t cap,
	   struct value_meta *meta, struct iovec *parts, int nparts)
{
	struct slot *t = table_get(0), *s;
	uint64_t seq;
	uint32_t lens[VALUE_MAX_PARTS];
	size_t off, need;
	uint16_t value_len;
	int i;

	if (!t)
		return 0;
	s = &t[pr->tag & (L1_SLOTS - 1)];
	seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if ((seq & 1) || s->tag != pr->tag || s->hook != pr->hook ||
	    s->image_len != pr->len || s->nparts != nparts)
		return 0;
	value_len = s->value_len;
	need = (size_t)nparts * 4;
	if (value_len < need || value_len > cap || pr->len + value_len > sizeof s->data ||
	    memcmp(s->data, pr->image, pr->len))
		return 0;
	memcpy(space, s->data + pr->len, value_len);
	meta->flags = s->flags;
	meta->saved_errno = s->saved_errno;
	meta->seconds = s->seconds;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq)
		return 0;

	memcpy(lens, space, need);
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

void l1_put(const struct l1_probe *pr, const struct value_meta *meta,
	    const struct iovec *parts, int nparts)
{
	struct slot *t, *s;
	uint64_t seq;
	size_t off, total = (size_t)nparts * 4;
	int i;

	for (i = 0; i < nparts; i++)
		total += parts[i].iov_len;
	if (pr->len + total > sizeof s->data || !(t = table_get(1)))
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
	s->seconds = meta->seconds;
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
