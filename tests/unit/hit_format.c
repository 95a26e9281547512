/*
 * Unit driver for the bytes a remote hit reads and writes, which a faster hit
 * must leave exactly as they were (issue 17: a user's cache keeps hitting):
 * a key's text for fixed inputs (key.c, util_hex), against the one key
 * format 2 gave when it was made (a change of it must be one of the format,
 * said), and an entry's bytes for a fixed result under a fixed key, plain
 * and with a secret (value.c), against the digests a build gave before the
 * hit path changed; main's version-3 entries of the
 * same result, whole, still decoded (and refused under the other check); util_hex against the byte
 * loop for every length to 80 and every byte value; and each entry decoded
 * back to its fields. Calls key.h, value.h, util.h, proto.h and libb2.
 * Single-threaded. Prints one line per failed expectation; exit 0 when all
 * hold.
 *
 *   hit_format          the checks
 *   hit_format print    the key's text and the entries' digests, to compare
 *                       with another build's
 */
#include <blake2.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "config/proto.h"
#include "store/key.h"
#include "store/value.h"
#include "expect.h"

/* Key format 2's (the prefix padded to a block: key.h), from the build that
 * made it. */
#define GOLDEN_KEY "m1-65c5bf23fc7af3aa0b34888d3c4a120b3bbf62f365314c51b1f7c69aa89a0d41"
/* Key format 1's, from main's build at e5ad93e (before issue 17's change to
 * the hit's path): the key the entries below were made under. */
#define GOLDEN_KEY_V1 "m1-daa30af4b65e53fa8efcc65d45d438d2c14341837a14ae000bb9991aae9b4fff"
/* Version 4's entries (XXH3-128 without a secret), from this build when it
 * was made (c11492c's were version 3: below). */
#define GOLDEN_PLAIN "f3bf6434a7b28ac28d8c92a1997c976acc1b6b295ea016d52f4da31fdc851d57"
#define GOLDEN_KEYED "f4ef49f6f540c58c9e6969d7269d31320bab10d24618a40d030c654cbfb7cdf6"
/* The same entries whole as main's build at c11492c wrote them (version 3:
 * BLAKE2b, plain and keyed): still served. */
#define V3_PLAIN "4d454d4f030000001800000000000000000000000000c03f2200000001000000" \
	"0000000000000000000000000000000000000000000000006d7cf82d5671585dd61a768fb10f7932" \
	"40e1217e4bfabcdf5175ed2db5008f5c080000000000000000000000000004408877665544332211"
#define V3_KEYED "4d454d4f030000001800000000000000000000000000c03f2200000001000000" \
	"0000000000000000000000000000000000000000000000005a5f9372336063ebd2da46f453d6c4b9" \
	"aba11f55f608249acf2bf3a8c83cff2c080000000000000000000000000004408877665544332211"
#define SECRET "a secret of some bytes"

static void hex_ref(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void check_hex(void)
{
	uint8_t bytes[256 + 80];
	char got[2 * sizeof bytes + 1], want[2 * sizeof bytes + 1];

	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i < 256 ? i : i * 151 + 17);
	util_hex(got, bytes, 256);
	hex_ref(want, bytes, 256);
	EXPECT(!strcmp(got, want), "util_hex of every byte value: %s", got);
	for (size_t at = 0; at < 16; at++)
		for (size_t n = 0; n <= 80; n++) {
			memset(got, '#', sizeof got);
			util_hex(got, bytes + 256 - at, n);
			hex_ref(want, bytes + 256 - at, n);
			EXPECT(!memcmp(got, want, 2 * n + 1), "util_hex of %zu bytes at %zu: %s", n, at, got);
			EXPECT(got[2 * n + 1] == '#', "util_hex of %zu bytes wrote past its end", n);
		}
}

/* The key of f(7, 0.5) for `double f(int a, double b)` under fixed
 * namespace, generation, identity and rules. */
static void make_key(struct memo_key *k)
{
	static struct strpool names;
	struct proto p;
	struct proto_error err;
	blake2b_state prefix;
	uint8_t identity[32];
	int a = 7;
	double b = 0.5;
	void *args[2] = { &a, &b };

	for (int i = 0; i < 32; i++)
		identity[i] = (uint8_t)(i * 37 + 1);
	if (proto_parse("double f(int a, double b)", &p, &err, &names) < 0) {
		EXPECT(0, "prototype: %d: %s", err.col, err.msg);
		return;
	}
	key_prefix(&prefix, "hit-format", 3, identity, &p, 0);
	EXPECT(key_compute(&prefix, &p, args, NULL, 0, k) == 0, "key_compute failed");
}

/* The entry of a double result 2.5 with errno 34 under k, and its digest. */
static void entry_digest(const struct memo_key *k, char hex[2 * 32 + 1])
{
	static uint8_t space[512];
	double r = 2.5;
	struct iovec part = { &r, sizeof r }, got;
	struct value_meta meta = { .seconds = 0.125, .saved_errno = 34, .tag = 0x1122334455667788 };
	struct value_meta back;
	struct membuf b;
	uint8_t d[32];

	membuf_init(&b, space, sizeof space);
	if (value_encode(k, &meta, &part, 1, &b) < 0) {
		EXPECT(0, "value_encode failed");
		return;
	}
	blake2b(d, b.data, NULL, sizeof d, b.len, 0);
	util_hex(hex, d, sizeof d);
	EXPECT(value_decode(k, b.data, b.len, &back, &got, 1) == VALUE_OK, "the entry does not decode");
	EXPECT(got.iov_len == sizeof r && !memcmp(got.iov_base, &r, sizeof r), "the result changed");
	EXPECT(back.seconds == meta.seconds && back.saved_errno == 34 && back.tag == meta.tag &&
	       back.flags == 0 && back.count == 0, "the entry's fields changed");
	membuf_release(&b);
}

/* Main's version-3 entry in hex decodes to the same fields when the reader
 * has its secret (or none, as it was written), and is refused otherwise. */
static void check_v3(const struct memo_key *k, const char *hex, bool keyed)
{
	uint8_t v[112];
	struct iovec got = { 0 };
	struct value_meta back;
	double r;

	EXPECT(strlen(hex) == 2 * sizeof v, "the v3 entry's length");
	for (size_t i = 0; i < sizeof v; i++)
		sscanf(hex + 2 * i, "%2hhx", &v[i]);
	value_set_secret(keyed ? (const uint8_t *)SECRET : NULL, keyed ? strlen(SECRET) : 0);
	EXPECT(value_decode(k, v, sizeof v, &back, &got, 1) == VALUE_OK,
	       "main's version 3 entry (%s) is not served", keyed ? "keyed" : "plain");
	if (got.iov_base)
		memcpy(&r, got.iov_base, sizeof r);
	EXPECT(got.iov_base && got.iov_len == sizeof r && r == 2.5 && back.saved_errno == 34 && back.seconds == 0.125 &&
	       back.tag == 0x1122334455667788, "main's version 3 entry's fields");
	value_set_secret(keyed ? NULL : (const uint8_t *)SECRET, keyed ? 0 : strlen(SECRET));
	EXPECT(value_decode(k, v, sizeof v, &back, &got, 1) == VALUE_BAD_CHECK,
	       "main's version 3 entry (%s) served under the other check", keyed ? "keyed" : "plain");
}

int main(int argc, char **argv)
{
	struct memo_key k, k1;
	char plain[65], keyed[65];

	check_hex();
	make_key(&k);
	/* the entries are checked under the key they were made under */
	if (key_from_text(&k1, GOLDEN_KEY_V1) < 0) {
		printf("FAIL: GOLDEN_KEY_V1 is no key\n");
		return 1;
	}
	value_set_secret(NULL, 0);
	entry_digest(&k1, plain);
	value_set_secret((const uint8_t *)SECRET, strlen(SECRET));
	entry_digest(&k1, keyed);
	check_v3(&k1, V3_PLAIN, false);
	check_v3(&k1, V3_KEYED, true);
	if (argc > 1 && !strcmp(argv[1], "print")) {
		printf("key %.*s\nplain %s\nkeyed %s\n", k.textlen, k.text, plain, keyed);
		return failures != 0;
	}
	EXPECT(k.textlen == strlen(GOLDEN_KEY) && !memcmp(k.text, GOLDEN_KEY, k.textlen),
	       "the key's text changed: %.*s", k.textlen, k.text);
	EXPECT(!strcmp(plain, GOLDEN_PLAIN), "the plain entry's bytes changed: digest %s", plain);
	EXPECT(!strcmp(keyed, GOLDEN_KEYED), "the keyed entry's bytes changed: digest %s", keyed);
	printf("%s (%d failures)\n", failures ? "FAIL" : "ok", failures);
	return failures != 0;
}
