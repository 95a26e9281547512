/*
 * Unit driver for src/store/value.c: round trips of 0..VALUE_MAX_PARTS parts, and
 * every verdict produced by a crafted corruption (a resealed check where the
 * corruption must get past it), plain and with a secret; each version's
 * check. Calls value.h, libb2 and xxHash (its header) only. Single-threaded.
 * Prints one line per failed expectation; exit 0 when all hold.
 */
#include <blake2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "store/value.h"
#include "expect.h"

#define EXPECT_VERDICT(got, want, what)                                         \
	EXPECT((got) == (want), "%s: got '%s', expected '%s'", what,          \
	       value_verdict_str(got), value_verdict_str(want))

static const uint8_t *cur_secret;
static size_t cur_secret_len;

static void set_secret(const char *s)
{
	cur_secret = (const uint8_t *)s;
	cur_secret_len = s ? strlen(s) : 0;
	value_set_secret(cur_secret, cur_secret_len);
}

static void make_key(struct memo_key *k, const char *name)
{
	blake2b(k->hash, name, NULL, sizeof k->hash, strlen(name), 0);
	k->textlen = snprintf(k->text, sizeof k->text, "m1-test");
}

/* Recompute the check after a deliberate edit, as a writer holding the
 * secret would, with the check of the value's version (value.h): the edit
 * must then be caught by the layout checks. */
static void reseal(const struct memo_key *k, uint8_t *v, size_t len)
{
	blake2b_state S;

	if (!cur_secret_len && v[4] >= 4) {
		XXH3_state_t X;
		XXH128_canonical_t c;

		XXH3_128bits_reset(&X);
		XXH3_128bits_update(&X, k->hash, 32);
		XXH3_128bits_update(&X, v, 56);
		XXH3_128bits_update(&X, v + VALUE_HEADER_SIZE, len - VALUE_HEADER_SIZE);
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&X));
		memcpy(v + 56, c.digest, 16);
		memset(v + 72, 0, 16);
		return;
	}
	if (cur_secret_len)
		blake2b_init_key(&S, 32, cur_secret, cur_secret_len);
	else
		blake2b_init(&S, 32);
	blake2b_update(&S, k->hash, 32);
	blake2b_update(&S, v, 56);
	blake2b_update(&S, v + VALUE_HEADER_SIZE, len - VALUE_HEADER_SIZE);
	blake2b_final(&S, v + 56, 32);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static const struct value_meta meta0 = {
	.flags = VALUE_STOCHASTIC, .seconds = 1.25, .saved_errno = 34,
	.count = 7, .mean = -3.5, .m2 = 0.125,
};

/* Encode `nparts` parts of distinct sizes and contents into b. */
static void encode_n(const struct memo_key *k, int nparts, struct membuf *b,
		     uint8_t *store, size_t storesz)
{
	struct iovec parts[VALUE_MAX_PARTS];
	size_t at = 0;

	for (int i = 0; i < nparts; i++) {
		size_t n = (size_t)(i * 37) % 300;	/* includes empty parts */

		if (at + n > storesz)
			n = 0;
		for (size_t j = 0; j < n; j++)
			store[at + j] = (uint8_t)(i * 31 + j);
		parts[i].iov_base = store + at;
		parts[i].iov_len = n;
		at += n;
	}
	if (value_encode(k, &meta0, parts, nparts, b) < 0) {
		failures++;
		printf("FAIL: encode of %d parts\n", nparts);
	}
}

static void test_round_trips(void)
{
	static uint8_t data[1 << 16];
	uint8_t space[256];
	struct memo_key k;
	struct membuf b;

	make_key(&k, "round trip");
	for (int n = 0; n <= VALUE_MAX_PARTS; n++) {
		struct iovec parts[VALUE_MAX_PARTS];
		struct value_meta m;
		size_t at = 0;
		enum value_verdict v;

		membuf_init(&b, space, sizeof space);
		encode_n(&k, n, &b, data, sizeof data);
		memset(&m, 0, sizeof m);
		v = value_decode(&k, b.data, b.len, &m, parts, n);
		EXPECT_VERDICT(v, VALUE_OK, "round trip");
		EXPECT(m.flags == meta0.flags && m.seconds == meta0.seconds &&
		       m.saved_errno == meta0.saved_errno && m.count == meta0.count &&
		       m.mean == meta0.mean && m.m2 == meta0.m2, "meta of %d parts", n);
		for (int i = 0; v == VALUE_OK && i < n; i++) {
			size_t want = (size_t)(i * 37) % 300;

			EXPECT(parts[i].iov_len == want, "part %d of %d: length %zu, expected %zu",
			       i, n, parts[i].iov_len, want);
			EXPECT(parts[i].iov_base == (void *)(b.data + VALUE_HEADER_SIZE) ||
			       ((uint8_t *)parts[i].iov_base > b.data &&
				(uint8_t *)parts[i].iov_base + parts[i].iov_len <= b.data + b.len),
			       "part %d points into the buffer", i);
			EXPECT(!memcmp(parts[i].iov_base, data + at, want), "part %d bytes", i);
			at += want;
		}
		/* Only a value too big for the inline space may allocate. */
		EXPECT((b.data == space) == (b.len <= sizeof space),
		       "%d parts: membuf grew %s", n, b.data == space ? "not" : "needlessly");
		/* A caller expecting another count gets BAD_PARTS, never parts. */
		if (n < VALUE_MAX_PARTS)
			EXPECT_VERDICT(value_decode(&k, b.data, b.len, NULL, parts, n + 1),
				       VALUE_BAD_PARTS, "one part more expected");
		membuf_release(&b);
	}
}

static void test_corruptions(const char *secret)
{
	static uint8_t data[4096];
	uint8_t space[4096], v[4096];
	struct iovec parts[VALUE_MAX_PARTS];
	struct memo_key k, other;
	struct membuf b;
	size_t len;

	set_secret(secret);
	make_key(&k, "corrupt");
	make_key(&other, "another key");
	membuf_init(&b, space, sizeof space);
	encode_n(&k, 3, &b, data, sizeof data);
	len = b.len;
	EXPECT_VERDICT(value_decode(&k, b.data, len, NULL, parts, 3), VALUE_OK, "pristine");

#define CORRUPT(stmt, l, want, what)                                              \
	do {                                                                      \
		memcpy(v, b.data, len);                                           \
		stmt;                                                             \
		EXPECT_VERDICT(value_decode(&k, v, (l), NULL, parts, 3), want, what); \
	} while (0)

	/* Every single flipped byte, header or payload, is caught. */
	for (size_t i = 0; i < len; i++) {
		enum value_verdict want = i < 4 ? VALUE_BAD_MAGIC :
			i < 6 ? VALUE_BAD_VERSION :
			(i >= 8 && i < 16) ? VALUE_BAD_LENGTH : VALUE_BAD_CHECK;
		char what[64];

		snprintf(what, sizeof what, "byte %zu flipped (%s)", i, secret ? "MAC" : "plain");
		CORRUPT(v[i] ^= 0x40, len, want, what);
	}
	CORRUPT((void)0, len - 1, VALUE_BAD_LENGTH, "truncated by one byte");
	CORRUPT((void)0, 60, VALUE_BAD_LENGTH, "truncated inside the header");
	CORRUPT((void)0, 2, VALUE_BAD_LENGTH, "truncated to two bytes");
	CORRUPT((void)0, 0, VALUE_BAD_LENGTH, "empty");
	CORRUPT(v[len] = 0, len + 1, VALUE_BAD_LENGTH, "extended by one byte");
	CORRUPT(memcpy(v, "OMEM", 4), len, VALUE_BAD_MAGIC, "wrong magic");
	CORRUPT(v[4] = VALUE_VERSION + 1, len, VALUE_BAD_VERSION, "wrong version");
	/* Past the check: a sealed value with a lying part count or length. */
	CORRUPT((v[28] = 4, reseal(&k, v, len)), len, VALUE_BAD_PARTS, "part count 4 of 3");
	CORRUPT((v[28] = 2, reseal(&k, v, len)), len, VALUE_BAD_PARTS, "part count 2 of 3");
	CORRUPT((put64(v + VALUE_HEADER_SIZE, 1ULL << 62), reseal(&k, v, len)), len,
		VALUE_BAD_PARTS, "part length far out of bounds");
	CORRUPT((put64(v + VALUE_HEADER_SIZE, len), reseal(&k, v, len)), len,
		VALUE_BAD_PARTS, "part length one buffer long");
	CORRUPT((put64(v + VALUE_HEADER_SIZE, UINT64_MAX), reseal(&k, v, len)), len,
		VALUE_BAD_PARTS, "part length -1");
	CORRUPT((v[VALUE_HEADER_SIZE + 8] -= 1, reseal(&k, v, len)), len,
		VALUE_BAD_PARTS, "part 1 length one short");
	CORRUPT((reseal(&k, v, len)), len, VALUE_OK, "reseal alone changes nothing");
	/* Moved under another key. */
	EXPECT_VERDICT(value_decode(&other, b.data, len, NULL, parts, 3), VALUE_BAD_CHECK,
		       "value moved under another key");
	set_secret(NULL);
	membuf_release(&b);
}

/* Version 2 on ends its payload with the function's tag; a version-1 value (no
 * tag: written before) still decodes, with tag 0, so old entries keep
 * hitting. value_tag reads the tag from a value's first and last 8 bytes. */
static void test_versions(void)
{
	uint8_t space[512], v1[512], one = 42;
	struct value_meta m = meta0, got;
	struct iovec part = { &one, 1 }, parts[1];
	struct memo_key k;
	struct membuf b;
	size_t len;

	make_key(&k, "versions");
	m.tag = 0x1122334455667788ULL;
	membuf_init(&b, space, sizeof space);
	EXPECT(value_encode(&k, &m, &part, 1, &b) == 0, "encode with a tag");
	len = b.len;
	EXPECT_VERDICT(value_decode(&k, b.data, len, &got, parts, 1), VALUE_OK, "version 4");
	EXPECT(got.tag == m.tag, "the tag decoded");
	EXPECT(value_tag(b.data, len, b.data + len - 8) == m.tag, "value_tag of version 4");
	/* Version 4's XXH3 check under version 3's number: refused; the
	 * value as version 3 wrote it (BLAKE2b): served, and not as version 4. */
	memcpy(v1, b.data, len);
	v1[4] = 3;
	EXPECT_VERDICT(value_decode(&k, v1, len, &got, parts, 1), VALUE_BAD_CHECK,
		       "version 4's check as version 3");
	reseal(&k, v1, len);
	EXPECT_VERDICT(value_decode(&k, v1, len, &got, parts, 1), VALUE_OK, "version 3");
	EXPECT(got.tag == m.tag, "version 3: the tag decoded");
	v1[4] = 4;
	EXPECT_VERDICT(value_decode(&k, v1, len, &got, parts, 1), VALUE_BAD_CHECK,
		       "version 3's check as version 4");
	/* The same value as version 1 wrote it: no tag, the payload 8 shorter. */
	memcpy(v1, b.data, len - 8);
	v1[4] = 1;
	put64(v1 + 8, len - 8 - VALUE_HEADER_SIZE);
	reseal(&k, v1, len - 8);
	memset(&got, 0xff, sizeof got);
	EXPECT_VERDICT(value_decode(&k, v1, len - 8, &got, parts, 1), VALUE_OK, "version 1");
	EXPECT(got.tag == 0 && parts[0].iov_len == 1 && *(uint8_t *)parts[0].iov_base == 42,
	       "version 1: its part, and tag 0");
	EXPECT(value_tag(v1, len - 8, v1 + len - 16) == 0, "value_tag of version 1");
	membuf_release(&b);
}

/* The check a value's encoding writes is the one its version defines, as
 * reseal computes it (XXH3 streamed), at every payload length to 400 bytes:
 * value.c hashes a small value from one copy, a larger one streamed. */
static void test_check_lengths(void)
{
	static uint8_t data[400];
	uint8_t space[512], v[512];
	struct iovec part = { data, 0 };
	struct memo_key k;
	struct membuf b;

	make_key(&k, "lengths");
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (const char *s = NULL;; s = "correct horse") {
		set_secret(s);
		for (part.iov_len = 0; part.iov_len <= sizeof data; part.iov_len++) {
			membuf_init(&b, space, sizeof space);
			EXPECT(value_encode(&k, &meta0, &part, 1, &b) == 0, "encode %zu", part.iov_len);
			memcpy(v, b.data, b.len);
			reseal(&k, v, b.len);
			EXPECT(!memcmp(v, b.data, b.len), "the check of a %zu-byte part (%s)",
			       part.iov_len, s ? "MAC" : "plain");
			membuf_release(&b);
		}
		if (s)
			break;
	}
	set_secret(NULL);
}

static void test_secrets(void)
{
	static uint8_t data[4096];
	uint8_t space[4096];
	struct iovec parts[VALUE_MAX_PARTS];
	char longsecret[200];
	struct memo_key k;
	struct membuf b;

	make_key(&k, "secret");
	membuf_init(&b, space, sizeof space);

	set_secret("correct horse");
	encode_n(&k, 2, &b, data, sizeof data);
	EXPECT_VERDICT(value_decode(&k, b.data, b.len, NULL, parts, 2), VALUE_OK,
		       "same secret");
	set_secret("battery staple");
	EXPECT_VERDICT(value_decode(&k, b.data, b.len, NULL, parts, 2), VALUE_BAD_CHECK,
		       "another secret");
	set_secret(NULL);
	EXPECT_VERDICT(value_decode(&k, b.data, b.len, NULL, parts, 2), VALUE_BAD_CHECK,
		       "no secret reading a MAC'ed value");

	encode_n(&k, 2, &b, data, sizeof data);
	set_secret("correct horse");
	EXPECT_VERDICT(value_decode(&k, b.data, b.len, NULL, parts, 2), VALUE_BAD_CHECK,
		       "a secret reading a plain value");

	/* Secrets longer than BLAKE2b's 64-byte key: every byte still counts. */
	memset(longsecret, 'x', sizeof longsecret - 1);
	longsecret[sizeof longsecret - 1] = 0;
	value_set_secret((const uint8_t *)longsecret, strlen(longsecret));
	encode_n(&k, 2, &b, data, sizeof data);
	EXPECT_VERDICT(value_decode(&k, b.data, b.len, NULL, parts, 2), VALUE_OK,
		       "long secret");
	longsecret[150] = 'y';
	value_set_secret((const uint8_t *)longsecret, strlen(longsecret));
	EXPECT_VERDICT(value_decode(&k, b.data, b.len, NULL, parts, 2), VALUE_BAD_CHECK,
		       "long secret differing at byte 150");
	set_secret(NULL);
	membuf_release(&b);
}

/* A payload of a MiB or more is checked through its tree root (version
 * 3): a byte flipped in its middle is caught; the root a reader computed is
 * used in its place (value_decode_buf: a wrong one fails); the same value
 * as version 2 wrote it (checked flat) still decodes. */
static void test_large(void)
{
	size_t n = (size_t)3 << 20, len;
	uint8_t *data = malloc(n), space[256];
	struct iovec part = { data, n }, parts[1];
	struct memo_key k;
	struct membuf b;

	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 11);
	make_key(&k, "large");
	membuf_init(&b, space, sizeof space);
	EXPECT(value_encode(&k, &meta0, &part, 1, &b) == 0, "encode 3 MiB");
	len = b.len;
	EXPECT(value_tree_checked(b.data, len), "3 MiB: checked through its tree");
	EXPECT_VERDICT(value_decode(&k, b.data, len, NULL, parts, 1), VALUE_OK, "3 MiB");
	EXPECT(parts[0].iov_len == n && !memcmp(parts[0].iov_base, data, n), "3 MiB: its bytes");
	b.data[len / 2] ^= 4;
	EXPECT_VERDICT(value_decode(&k, b.data, len, NULL, parts, 1), VALUE_BAD_CHECK,
		       "3 MiB, a byte flipped in the middle");
	b.data[len / 2] ^= 4;
	b.tree_from = VALUE_HEADER_SIZE;
	b.tree_to = len;
	memset(b.tree, 0x33, sizeof b.tree);
	EXPECT_VERDICT(value_decode_buf(&k, &b, NULL, parts, 1), VALUE_BAD_CHECK,
		       "3 MiB with another root than its reader's");
	b.data[4] = 2;
	reseal(&k, b.data, len);
	EXPECT_VERDICT(value_decode(&k, b.data, len, NULL, parts, 1), VALUE_OK,
		       "3 MiB as version 2 wrote it: checked flat");
	EXPECT(!value_tree_checked(b.data, len), "version 2: not a tree");
	membuf_release(&b);
	free(data);
}

int main(void)
{
	test_round_trips();
	test_corruptions(NULL);
	test_corruptions("correct horse");
	test_versions();
	test_check_lengths();
	test_secrets();
	test_large();
	printf("%s (%d failures)\n", failures ? "FAIL" : "ok", failures);
	return failures != 0;
}
