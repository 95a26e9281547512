/*
 * value: encodes a call's result (meta + parts) into the bytes a store keeps,
 * and decodes them back only after verifying every byte (layout in value.h).
 * Calls libb2, blake2b_one, xxHash (inlined: no shared library in the host
 * process) and treehash (a payload of a MiB or more). Hot-path safe: no
 * allocation (beyond growing the caller's membuf, and treehash's for a
 * payload over 64 MiB), no lock but treehash's pool's, any thread; the
 * secret is written once at start-up.
 */
#include "store/value.h"

#include <endian.h>
#include <string.h>
/* Every xxHash function static in this object: the header only, no
 * libxxhash.so loaded into the host process. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "store/blake2b_one.h"
#include "store/treehash.h"
#include "base/b2.h"

/* Offsets in the 88-byte header (value.h). */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 4,
	OFF_FLAGS = 6,
	OFF_PAYLOAD = 8,
	OFF_SECONDS = 16,
	OFF_ERRNO = 24,
	OFF_NPARTS = 28,
	OFF_COUNT = 32,
	OFF_MEAN = 40,
	OFF_M2 = 48,
	OFF_CHECK = 56,
	CHECK_BYTES = 32,
	TAG_BYTES = 8,		/* version 2: the payload's last bytes */
	SMALL_BODY = 152,	/* a body hashed from a copy: 240 bytes with key and header */
};

_Static_assert(OFF_CHECK + CHECK_BYTES == VALUE_HEADER_SIZE, "header layout");

/* Written once by value_set_secret at start-up, before any other thread
 * exists; read by every encode and decode. secret_len 0 = plain checksum. */
static uint8_t secret[BLAKE2B_KEYBYTES];
static size_t secret_len;
/* The check's state before its first byte (keyed: the key's block in it),
 * made here once and copied by each check; check_start_made false: each
 * check makes its own (a process that never set a secret). */
static blake2b_state check_start;
static bool check_start_made;

static void check_init(blake2b_state *S)
{
	if (secret_len)
		b2_init_key(S, CHECK_BYTES, secret, secret_len);
	else
		b2_init(S, CHECK_BYTES);
}

void value_set_secret(const uint8_t *s, size_t len)
{
	if (!s || !len) {
		/* no key: version 4's checks take XXH3, and only a version 1-3
		 * entry's BLAKE2b check makes its own start, so none is made
		 * here (nor the key's page written, at every start-up) */
		if (secret_len) {
			memset(secret, 0, sizeof secret);
			secret_len = 0;
		}
		check_start_made = false;
		return;
	}
	if (len <= sizeof secret) {
		memcpy(secret, s, len);
		secret_len = len;
	} else {
		/* BLAKE2b takes at most 64 key bytes: a longer secret file is
		 * condensed, so all of it still matters. */
		b2(secret, s, NULL, sizeof secret, len, 0);
		secret_len = sizeof secret;
	}
	check_init(&check_start);
	key_state_settle(&check_start, true);	/* the key hash follows: the key block compressed */
	check_start_made = true;
}

/* Little-endian fields at any alignment. As memcpy and a byte swap on a
 * big-endian host: the byte loops they replace were not merged into loads
 * by GCC, ~400 instructions of each decode (of a small hit's ~10,500). */
static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof v);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof v);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof v);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return le16toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return le64toh(v);
}

static void putf64(uint8_t *p, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof v);
	put64(p, v);
}

static double getf64(const uint8_t *p)
{
	uint64_t v = get64(p);
	double d;

	memcpy(&d, &v, sizeof d);
	return d;
}

/* XXH3-128 of key hash ‖ header[0,56) ‖ body, from one copy: a body of
 * SMALL_BODY bytes or fewer, for which XXH3's streaming state costs more
 * than the hash. */
static __attribute__((noinline)) XXH128_hash_t xxh3_copied(const struct memo_key *k,
							   const uint8_t *val,
							   const uint8_t *body, size_t body_len)
{
	uint8_t all[KEY_HASH_BYTES + OFF_CHECK + SMALL_BODY];

	memcpy(all, k->hash, KEY_HASH_BYTES);
	memcpy(all + KEY_HASH_BYTES, val, OFF_CHECK);
	memcpy(all + KEY_HASH_BYTES + OFF_CHECK, body, body_len);
	return XXH3_128bits(all, KEY_HASH_BYTES + OFF_CHECK + body_len);
}

/* The same, streamed: a larger body. */
static __attribute__((noinline)) XXH128_hash_t xxh3_streamed(const struct memo_key *k,
							     const uint8_t *val,
							     const uint8_t *body, size_t body_len)
{
	XXH3_state_t X;

	XXH3_128bits_reset(&X);
	XXH3_128bits_update(&X, k->hash, KEY_HASH_BYTES);
	XXH3_128bits_update(&X, val, OFF_CHECK);
	XXH3_128bits_update(&X, body, body_len);
	return XXH3_128bits_digest(&X);
}

/* Version 4's check without a secret: XXH3-128, then 16 zero bytes. Each
 * way of hashing and BLAKE2b's below are not inlined: a check's stack is
 * the largest of them (the streamed state's ~600 bytes), not their sum,
 * and a small value's is not that one; a hit may run on a signal
 * handler's small stack. */
static void check_xxh3(const struct memo_key *k, const uint8_t *val, const uint8_t *body,
		       size_t body_len, uint8_t out[CHECK_BYTES])
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, body_len <= SMALL_BODY ? xxh3_copied(k, val, body, body_len) :
				 xxh3_streamed(k, val, body, body_len));
	_Static_assert(sizeof c.digest == CHECK_BYTES / 2, "XXH3-128's size");
	memcpy(out, c.digest, sizeof c.digest);
	memset(out + sizeof c.digest, 0, CHECK_BYTES - sizeof c.digest);
}

/* BLAKE2b-256, keyed with the secret when one is set (a MAC). */
static __attribute__((noinline)) void check_blake2b(const struct memo_key *k, const uint8_t *val,
						     const uint8_t *body, size_t body_len,
						     uint8_t out[CHECK_BYTES])
{
	blake2b_state S;

	if (check_start_made)
		S = check_start;
	else
		check_init(&S);
	b2_update(&S, k->hash, KEY_HASH_BYTES);
	b2_update(&S, val, OFF_CHECK);
	b2_update(&S, body, body_len);
	blake2b_one_final(&S, out, CHECK_BYTES);
}

/* The check over key hash ‖ header[0,56) ‖ body (value.h). The key hash
 * binds the value to its key: bytes copied under another key do not verify.
 * With a secret it is the keyed BLAKE2b-256 MAC, in every version; without
 * one, versions 1-3 took BLAKE2b-256 and version 4 takes XXH3-128: two
 * BLAKE2b compressions were half of a remote hit's own instructions, for a
 * check that, unkeyed, only ever caught accidents (anyone who can write the
 * store can seal a plain one). */
static void check_over(const struct memo_key *k, const uint8_t *val, const uint8_t *body,
		       size_t body_len, uint8_t out[CHECK_BYTES])
{
	if (!secret_len && get16(val + OFF_VERSION) >= 4)
		check_xxh3(k, val, body, body_len, out);
	else
		check_blake2b(k, val, body, body_len, out);
}

/* The body is the payload, or from version 3 a large payload's tree root
 * (treehash.h), hashed on every core: a one-core pass over 72 MB would cost
 * as much as the rest of a hit. The root is a collision-resistant digest of
 * every payload byte (BLAKE2b in every version: a large value's check is
 * bound by its bytes' hashing, not by the 120 bytes hashed over the root),
 * so the check still covers all of them. */
static void value_check(const struct memo_key *k, const uint8_t *val,
			size_t payload_len, const uint8_t *payload_root, uint8_t out[CHECK_BYTES])
{
	uint8_t root[32];

	if (!value_tree_checked(val, VALUE_HEADER_SIZE + payload_len)) {
		check_over(k, val, val + VALUE_HEADER_SIZE, payload_len, out);
		return;
	}
	if (!payload_root) {
		treehash(val + VALUE_HEADER_SIZE, payload_len, root);
		payload_root = root;
	}
	check_over(k, val, payload_root, sizeof root, out);
}

int value_encode(const struct memo_key *k, const struct value_meta *meta,
		 const struct iovec *parts, int nparts, struct membuf *out)
{
	size_t payload = 0, total;
	uint8_t *h, *p;

	if (nparts < 0 || nparts > VALUE_MAX_PARTS)
		return -1;
	for (int i = 0; i < nparts; i++) {
		if (parts[i].iov_len > SIZE_MAX / 2 - payload - 8)
			return -1;
		payload += 8 + parts[i].iov_len;
	}
	payload += TAG_BYTES;
	total = VALUE_HEADER_SIZE + payload;
	if (membuf_reserve(out, total) < 0)
		return -1;

	h = out->data;
	put32(h + OFF_MAGIC, VALUE_MAGIC);
	put16(h + OFF_VERSION, VALUE_VERSION);
	put16(h + OFF_FLAGS, meta->flags);
	put64(h + OFF_PAYLOAD, payload);
	putf64(h + OFF_SECONDS, meta->seconds);
	put32(h + OFF_ERRNO, (uint32_t)meta->saved_errno);
	put32(h + OFF_NPARTS, (uint32_t)nparts);
	put64(h + OFF_COUNT, meta->count);
	putf64(h + OFF_MEAN, meta->mean);
	putf64(h + OFF_M2, meta->m2);

	p = h + VALUE_HEADER_SIZE;
	for (int i = 0; i < nparts; i++) {
		put64(p, parts[i].iov_len);
		if (parts[i].iov_len)
			memcpy(p + 8, parts[i].iov_base, parts[i].iov_len);
		p += 8 + parts[i].iov_len;
	}
	put64(p, meta->tag);
	value_check(k, h, payload, NULL, h + OFF_CHECK);
	out->len = total;
	return 0;
}

/* Compares in time independent of where the first difference is, so a
 * forger probing a shared cache learns nothing from response times. */
static int check_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (int i = 0; i < CHECK_BYTES; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

bool value_tree_checked(const uint8_t head[VALUE_HEADER_SIZE], uint64_t len)
{
	return get16(head + OFF_VERSION) >= 3 && len >= VALUE_HEADER_SIZE + (uint64_t)TREEHASH_MIN;
}

/* value_decode, the payload's tree root given when its reader computed it */
static enum value_verdict value_decode_root(const struct memo_key *k, const void *buf,
					    size_t len, const uint8_t *payload_root,
					    struct value_meta *meta, struct iovec *parts, int nparts)
{
	const uint8_t *h = buf, *p, *end;
	uint8_t want[CHECK_BYTES];
	uint64_t payload;
	uint16_t version;

	if (len < VALUE_HEADER_SIZE)
		return len >= 4 && get32(h + OFF_MAGIC) != VALUE_MAGIC ?
			VALUE_BAD_MAGIC : VALUE_BAD_LENGTH;
	if (get32(h + OFF_MAGIC) != VALUE_MAGIC)
		return VALUE_BAD_MAGIC;
	version = get16(h + OFF_VERSION);
	/* 1: before the tag, 2: before large payloads' tree, 3: BLAKE2b
	 * without a secret; all still served, each with its own check */
	if (version < 1 || version > VALUE_VERSION)
		return VALUE_BAD_VERSION;
	payload = get64(h + OFF_PAYLOAD);
	if (payload != len - VALUE_HEADER_SIZE)
		return VALUE_BAD_LENGTH;
	/* Everything below is covered by the check: verify before trusting it. */
	value_check(k, h, payload, payload_root, want);
	if (!check_equal(want, h + OFF_CHECK))
		return VALUE_BAD_CHECK;
	if (nparts < 0 || nparts > VALUE_MAX_PARTS ||
	    get32(h + OFF_NPARTS) != (uint32_t)nparts)
		return VALUE_BAD_PARTS;

	/* A valid check does not make the layout sane (a writer with the
	 * secret may still be buggy): walk the parts within bounds. */
	p = h + VALUE_HEADER_SIZE;
	end = p + payload;
	if (version >= 2) {
		if (payload < TAG_BYTES)
			return VALUE_BAD_PARTS;
		end -= TAG_BYTES;
	}
	for (int i = 0; i < nparts; i++) {
		uint64_t n;

		if ((size_t)(end - p) < 8)
			return VALUE_BAD_PARTS;
		n = get64(p);
		p += 8;
		if (n > (uint64_t)(end - p))
			return VALUE_BAD_PARTS;
		if (parts) {
			parts[i].iov_base = (void *)p;
			parts[i].iov_len = n;
		}
		p += n;
	}
	if (p != end)
		return VALUE_BAD_PARTS;

	if (meta) {
		meta->flags = get16(h + OFF_FLAGS);
		meta->seconds = getf64(h + OFF_SECONDS);
		meta->saved_errno = (int32_t)get32(h + OFF_ERRNO);
		meta->count = get64(h + OFF_COUNT);
		meta->mean = getf64(h + OFF_MEAN);
		meta->m2 = getf64(h + OFF_M2);
		meta->tag = version >= 2 ? get64(end) : 0;
	}
	return VALUE_OK;
}

enum value_verdict value_decode_buf(const struct memo_key *k, const struct membuf *b,
				    struct value_meta *meta, struct iovec *parts, int nparts)
{
	bool read_root = b->tree_to && b->tree_to == b->len && b->tree_from == VALUE_HEADER_SIZE;

	return value_decode_root(k, b->data, b->len, read_root ? b->tree : NULL, meta, parts,
				 nparts);
}

enum value_verdict value_decode(const struct memo_key *k, const void *buf,
				size_t len, struct value_meta *meta,
				struct iovec *parts, int nparts)
{
	return value_decode_root(k, buf, len, NULL, meta, parts, nparts);
}

uint64_t value_tag(const uint8_t head[8], uint64_t len, const uint8_t tail[8])
{
	if (len < VALUE_HEADER_SIZE + TAG_BYTES || get32(head + OFF_MAGIC) != VALUE_MAGIC ||
	    get16(head + OFF_VERSION) < 2 || get16(head + OFF_VERSION) > VALUE_VERSION)
		return 0;
	return get64(tail);
}

const char *value_verdict_str(enum value_verdict v)
{
	switch (v) {
	case VALUE_OK: return "ok";
	case VALUE_BAD_MAGIC: return "bad magic";
	case VALUE_BAD_VERSION: return "unknown format version";
	case VALUE_BAD_LENGTH: return "bad length";
	case VALUE_BAD_CHECK: return "check failed";
	case VALUE_BAD_PARTS: return "bad parts";
	}
	return "unknown verdict";
}
