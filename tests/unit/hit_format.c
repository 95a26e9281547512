/*
 * Unit driver for the bytes a remote hit reads and writes, which a faster hit
 * must leave exactly as they were (issue 17: a user's cache keeps hitting):
 * a key's text for fixed inputs (key.c, util_hex), and an entry's bytes for a
 * fixed result, plain and with a secret (value.c), against the digests
 * main's build gave before the hit path changed; util_hex against the byte
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

/* From main's build at e5ad93e (before this change to the hit's path). */
#define GOLDEN_KEY "m1-daa30af4b65e53fa8efcc65d45d438d2c14341837a14ae000bb9991aae9b4fff"
#define GOLDEN_PLAIN "ee40946c8197f9c7b74e7a1d712b67124123fa9f669336f6ebf4e8e0a0245073"
#define GOLDEN_KEYED "484febdda57ca59e7896108e6c800d18bce6b92a85b482fa764673076fd0ed6c"

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

int main(int argc, char **argv)
{
	struct memo_key k;
	char plain[65], keyed[65];

	check_hex();
	make_key(&k);
	value_set_secret(NULL, 0);
	entry_digest(&k, plain);
	value_set_secret((const uint8_t *)"a secret of some bytes", 22);
	entry_digest(&k, keyed);
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
