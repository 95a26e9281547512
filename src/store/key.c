/*
 * key: cache keys (see key.h for the formula).
 * Owns the byte layout of what is hashed and the entry key's text; calls
 * libb2, blake2b_one, treehash, util and proto's len_eval.
 * Hot path: key_compute copies a precomputed blake2b_state and hashes the
 * arguments where they lie; no allocation, no lock, any thread. What it
 * reads is checked first (key_unreadable_arg): a declared length past the
 * mapped buffer never faults in here.
 */
#include "store/key.h"

#include <string.h>

#include "base/util.h"
#include "config/types.h"
#include "store/blake2b_one.h"
#include "store/cxx_layout.h"
#include "store/treehash.h"
#include "base/b2.h"

static void put_u64(blake2b_state *s, uint64_t v)
{
	b2_update(s, (const uint8_t *)&v, sizeof v);
}

static void put_bytes(blake2b_state *s, const void *p, size_t n)
{
	put_u64(s, n);
	b2_update(s, p, n);
}

/* An argument's bytes: large ones as the root of a BLAKE2b tree hashed on
 * every core (treehash.h), marked so they never collide with small ones. */
static void put_buffer(blake2b_state *s, const void *p, size_t n)
{
	uint8_t root[32];

	if (n < TREEHASH_MIN) {
		put_bytes(s, p, n);
		return;
	}
	treehash(p, n, root);
	put_u64(s, UINT64_MAX);
	put_bytes(s, root, sizeof root);
}

/* An array of long double: each element's 10 bytes, never the 6 of padding
 * after them, which the caller's stores leave as they were (stack or heap
 * garbage): the same values are the same key. Element by element, so never
 * as a tree. */
static void put_padded(blake2b_state *s, const uint8_t *p, uint64_t count,
		       const struct scalar_type *t)
{
	uint64_t i, n = count / t->size;

	put_u64(s, n * t->bits);
	for (i = 0; i < n; i++)
		b2_update(s, p + i * t->size, t->bits);
}

/* Values of a struct or complex with padding (types.h): each element's runs,
 * never the bytes between them, which the caller's stores leave as they
 * were: the same fields are the same key. */
static void put_runs(blake2b_state *s, const uint8_t *p, uint64_t n, const struct scalar_type *t)
{
	const struct type_def *d = t->def;
	uint8_t buf[1024];	/* runs gathered: one update per KiB, not per field */
	size_t used = 0;

	put_u64(s, n * t->bits);
	for (uint64_t i = 0; i < n; i++)
		for (int r = 0; r < d->nruns; r++) {
			const uint8_t *run = p + i * t->size + d->run[r].off;
			size_t len = d->run[r].len;

			if (used + len > sizeof buf) {
				b2_update(s, buf, used);
				used = 0;
			}
			if (len > sizeof buf) {
				b2_update(s, run, len);
				continue;
			}
			memcpy(buf + used, run, len);
			used += len;
		}
	b2_update(s, buf, used);
}

/* digest of s's bytes followed by n bytes of c, as blake2b_final gives it */
static void sample_digest(const blake2b_state *s, size_t n, uint8_t c, uint8_t out[KEY_HASH_BYTES])
{
	blake2b_state t = *s;
	uint8_t more[3 * BLAKE2B_BLOCKBYTES];

	memset(more, c, n);
	b2_update(&t, more, n);
	b2_final(&t, out, KEY_HASH_BYTES);
}

bool key_state_settle(blake2b_state *s, bool more_follows)
{
	const size_t block = BLAKE2B_BLOCKBYTES;
	uint8_t fill[2 * BLAKE2B_BLOCKBYTES] = { 0 }, a[KEY_HASH_BYTES], b[KEY_HASH_BYTES];
	size_t pending = s->buflen;
	blake2b_state t = *s;

	/* a whole block pending is the last one when nothing follows */
	if (pending < block + !more_follows || pending > 2 * block)
		return false;
	/* One byte past what its buffer holds: libb2 compresses the first
	 * pending block, all of it ours, and shifts the rest down, where the
	 * pending bytes after that block are then the buffer's first. */
	b2_update(&t, fill, 2 * block - pending + 1);
	t.buflen = (uint32_t)(pending - block);
	memset(t.buf + t.buflen, 0, sizeof t.buf - t.buflen);
	/* the same digests, or another libb2's state: s left as it was */
	for (size_t n = more_follows; n <= 2 * block; n += 200) {	/* within a block, past two */
		sample_digest(s, n, (uint8_t)n, a);
		sample_digest(&t, n, (uint8_t)n, b);
		if (memcmp(a, b, sizeof a))
			return false;
	}
	*s = t;
	return true;
}

/* Zeros to the end of the block: what comes before then fills whole
 * blocks, compressed once into the prefix, and each key's own bytes (the
 * rules, then the call's) start a block of their own, so up to 120 bytes of
 * arguments take one compression. Without it a prefix that left few bytes
 * of its last block free cost most keys a second one (bf_scalar: 120 bytes
 * of prefix and 16 of a call, 136 in all). The bytes hashed so far: those
 * compressed (libb2's counter) and those pending. */
static void pad_to_block(blake2b_state *s)
{
	static const uint8_t zeros[BLAKE2B_BLOCKBYTES];
	uint64_t used = s->t[0] + s->buflen;

	b2_update(s, zeros, (BLAKE2B_BLOCKBYTES - used % BLAKE2B_BLOCKBYTES) % BLAKE2B_BLOCKBYTES);
}

void key_prefix(blake2b_state *prefix, const char *namespace_,
		uint64_t generation, const uint8_t identity[32],
		const struct proto *p, uint64_t rules)
{
	char canon[4096];
	size_t n = proto_canonical(p, canon, sizeof canon);

	b2_init(prefix, KEY_HASH_BYTES);
	put_bytes(prefix, "libmemo key", 11);
	put_u64(prefix, KEY_FORMAT_VERSION);
	put_bytes(prefix, namespace_, strlen(namespace_));
	put_u64(prefix, generation);
	put_bytes(prefix, identity, 32);
	put_bytes(prefix, canon, n < sizeof canon ? n : sizeof canon);
	pad_to_block(prefix);
	put_u64(prefix, rules);
	key_state_settle(prefix, false);
}

/* Only the bits that change results: rounding control, flush-to-zero and
 * denormals-are-zero. The sticky exception flags change with every
 * computation and must stay out of the key. */
#define MXCSR_MODE_BITS 0xe040u

static void put_pointer_tag(blake2b_state *s, const void *ptr)
{
	uint8_t tag = ptr != NULL;
	b2_update(s, &tag, 1);
}

/* Fill k->text from k->hash. */
static void key_format(struct memo_key *k)
{
	memcpy(k->text, "m1-", 3);
	util_hex(k->text + 3, k->hash, KEY_HASH_BYTES);
	k->textlen = 3 + 2 * KEY_HASH_BYTES;
}

int key_from_text(struct memo_key *k, const char *text)
{
	if (strlen(text) != 3 + 2 * KEY_HASH_BYTES || strncmp(text, "m1-", 3) ||
	    util_unhex(k->hash, text + 3, KEY_HASH_BYTES) < 0)
		return -1;
	key_format(k);
	/* upper-case digits would name another file */
	return memcmp(k->text, text, k->textlen) ? -1 : 0;
}

int key_compute(const blake2b_state *prefix, const struct proto *p,
		void *const *args, const struct iovec *globals, int nglobals,
		struct memo_key *out)
{
	blake2b_state s;
	int i;

	memcpy(&s, prefix, sizeof s);
	if (p->uses_float) {
		uint32_t mode = __builtin_ia32_stmxcsr() & MXCSR_MODE_BITS;
		b2_update(&s, (const uint8_t *)&mode, sizeof mode);
	}
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		const void *ptr;
		uint64_t count;

		if (a->ignored || a->kind == ARG_OPAQUE)
			continue;
		if (a->kind == ARG_SCALAR) {
			if (a->type.def && a->type.def->padded)
				put_runs(&s, args[i], 1, &a->type);
			else
				b2_update(&s, args[i], a->type.bits);
			continue;
		}
		ptr = *(void *const *)args[i];
		put_pointer_tag(&s, ptr);
		if (a->kind == ARG_STRING) {
			if (ptr)
				put_buffer(&s, ptr, strlen(ptr));
			continue;
		}
		if (a->kind == ARG_REF) {	/* never NULL: key_unreadable_arg */
			if (!ptr)
				return -1;
			b2_update(&s, ptr, a->type.bits);
			continue;
		}
		if (a->kind == ARG_CXX_VECTOR || a->kind == ARG_CXX_STRING) {
			if (cxx_layout_contents(a, ptr, &ptr, &count) < 0)
				return -1;
			put_buffer(&s, ptr, count);
			continue;
		}
		if (len_eval(&a->len, p, args, &count) < 0 ||
		    __builtin_mul_overflow(count, (uint64_t)a->type.size, &count))
			return -1;
		/* An out buffer's contents are not an input, but its size is:
		 * another size is another result. */
		if (a->kind == ARG_OUT || !ptr)
			put_u64(&s, count);
		else if (a->type.def && a->type.def->padded)
			put_runs(&s, ptr, count / a->type.size, &a->type);
		else if (a->type.bits < a->type.size)
			put_padded(&s, ptr, count, &a->type);
		else
			put_buffer(&s, ptr, count);
	}
	for (i = 0; i < nglobals; i++)
		put_bytes(&s, globals[i].iov_base, globals[i].iov_len);
	blake2b_one_final(&s, out->hash, KEY_HASH_BYTES);
	key_format(out);
	return 0;
}

/* A by-reference scalar is read for the key and for the lengths that name
 * it, so it is checked before any array: NULL or unreadable, the call
 * cannot be keyed. */
static int unreadable_ref(const struct proto *p, void *const *args)
{
	for (int i = 0; i < p->nargs; i++) {
		const void *ptr;

		if (p->args[i].kind != ARG_REF)
			continue;
		ptr = *(void *const *)args[i];
		if (!ptr || !util_readable(ptr, p->args[i].type.size))
			return i;
	}
	return -1;
}

int key_unreadable_arg(const struct proto *p, void *const *args)
{
	int r = unreadable_ref(p, args);

	if (r >= 0)
		return r;
	for (int i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		const void *ptr;
		uint64_t count;

		if ((a->kind == ARG_CXX_VECTOR || a->kind == ARG_CXX_STRING) &&
		    !cxx_layout_readable(a, *(void *const *)args[i]))
			return i;
		if (a->kind != ARG_IN && a->kind != ARG_INOUT && a->kind != ARG_OUT)
			continue;
		ptr = *(void *const *)args[i];
		/* A length that cannot be evaluated is key_compute's to refuse. */
		if (!ptr || len_eval(&a->len, p, args, &count) < 0 ||
		    __builtin_mul_overflow(count, (uint64_t)a->type.size, &count))
			continue;
		if (util_readable(ptr, count) == 0)
			return i;
	}
	return -1;
}
