/*
 * Unit driver for blake2b_one_final (src/store/blake2b_one.c): the digest
 * libb2's blake2b_final gives, for every message length to past five
 * blocks (so with one or two blocks pending at the end, and after libb2
 * compressed some), keyed or not, from a key's settled prefix state
 * (key_state_settle) and for every digest length. Where the CPU has
 * AVX-512, that path is the one taken (a fast path that disagreed with
 * libb2's on the samples would be left for libb2's, and the comparisons
 * alone would not see it). Calls blake2b_one, key.h and libb2 only.
 * Single-threaded. Prints one line per failed expectation; exit 0 when
 * all hold.
 */
#include <blake2.h>
#include <stdio.h>
#include <string.h>

#include "store/blake2b_one.h"
#include "store/key.h"
#include "expect.h"

/* blake2b_one_final against libb2's final, each on a copy of s */
static void same_as_libb2(const blake2b_state *s, size_t outlen, const char *what, size_t len)
{
	blake2b_state mine = *s, t = *s;
	uint8_t got[BLAKE2B_OUTBYTES], want[BLAKE2B_OUTBYTES];

	blake2b_one_final(&mine, got, outlen);
	blake2b_final(&t, want, outlen);
	EXPECT(!memcmp(got, want, outlen), "%s, %zu bytes, %zu-byte digest: another digest", what,
	       len, outlen);
}

int main(void)
{
	static const uint8_t key[] = "a secret of some bytes";
	static uint8_t bytes[700];
	size_t checked = 0;

	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i * 131 + 7);
	for (size_t len = 0; len <= sizeof bytes; len++, checked++) {
		blake2b_state s;

		blake2b_init(&s, 32);
		blake2b_update(&s, bytes, len);
		same_as_libb2(&s, 32, "plain", len);
		blake2b_init_key(&s, 32, key, sizeof key - 1);
		blake2b_update(&s, bytes, len);
		same_as_libb2(&s, 32, "keyed", len);
		/* a key's prefix, settled, then the arguments (key.c) */
		if (len >= 129 && len <= 256) {
			blake2b_init(&s, 32);
			blake2b_update(&s, bytes, len);
			if (key_state_settle(&s, false)) {
				blake2b_update(&s, bytes, 20);
				same_as_libb2(&s, 32, "settled", len);
			}
		}
	}
	for (size_t outlen = 1; outlen <= BLAKE2B_OUTBYTES; outlen++) {
		blake2b_state s;

		blake2b_init(&s, outlen);
		blake2b_update(&s, bytes, 300);
		same_as_libb2(&s, outlen, "digest length", 300);
	}
	/* libgcc's reading of the CPU, not glibc's that blake2b_one.c reads
	 * (whose macro shifts a signed 1 by 31 for AVX512VL: UBSan) */
	bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");

	EXPECT(blake2b_one_fast() == avx512, "AVX-512 %s, its path %s", avx512 ? "here" : "absent",
	       blake2b_one_fast() ? "taken" : "not taken");
	printf("%s (%d failures, %zu lengths, %s)\n", failures ? "FAIL" : "ok", failures, checked,
	       avx512 ? "AVX-512" : "libb2's");
	return failures != 0;
}
