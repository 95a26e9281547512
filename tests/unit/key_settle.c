/*
 * Unit driver for key_state_settle (src/store/key.c): a state with a block
 * or more of input pending, settled, gives the digest of the same bytes
 * hashed at once, after any further bytes (at least one where the caller
 * promised more), for every prefix length to past four blocks; and it does
 * settle wherever more than a block is pending, so keys and keyed checks
 * compress that block once. Calls key.h and libb2 only. Single-threaded.
 * Prints one line per failed expectation; exit 0 when all hold.
 */
#include <blake2.h>
#include <stdio.h>
#include <string.h>

#include "store/key.h"
#include "expect.h"

int main(void)
{
	static uint8_t bytes[1024];
	size_t settled = 0;

	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i * 131 + 7);
	for (int more = 0; more <= 1; more++)
		for (size_t len = 0; len <= 520; len++) {
			blake2b_state s;
			bool done;

			blake2b_init(&s, KEY_HASH_BYTES);
			blake2b_update(&s, bytes, len);
			size_t pending = s.buflen;
			done = key_state_settle(&s, more);
			EXPECT(done == (pending > BLAKE2B_BLOCKBYTES - (size_t)more),
			       "prefix %zu (pending %zu, more %d): settled %d", len, pending, more, done);
			settled += done;
			for (size_t n = (size_t)more; len + n <= sizeof bytes && n <= 300; n += 1 + n / 8) {
				blake2b_state t = s;
				uint8_t got[KEY_HASH_BYTES], want[KEY_HASH_BYTES];

				blake2b_update(&t, bytes + len, n);
				blake2b_final(&t, got, sizeof got);
				blake2b(want, bytes, NULL, sizeof want, len + n, 0);
				EXPECT(!memcmp(got, want, sizeof got),
				       "prefix %zu, %zu more, more %d: another digest", len, n, more);
			}
		}
	/* a keyed state: its key block pending, settled before the data */
	for (size_t n = 1; n <= 300; n += 7) {
		const uint8_t key[] = "a secret of some bytes";
		blake2b_state s;
		uint8_t got[32], want[32];

		blake2b_init_key(&s, 32, key, sizeof key - 1);
		EXPECT(key_state_settle(&s, true), "keyed: not settled");
		blake2b_update(&s, bytes, n);
		blake2b_final(&s, got, sizeof got);
		blake2b(want, bytes, key, sizeof want, n, sizeof key - 1);
		EXPECT(!memcmp(got, want, sizeof got), "keyed, %zu bytes: another digest", n);
	}
	printf("%s (%d failures, %zu states settled)\n", failures ? "FAIL" : "ok", failures, settled);
	return failures != 0;
}
