/*
 * Fuzz target: the value decoder (src/store/value.c). The first input byte picks
 * the mode: bit 0 = decode with a secret, bit 1 = seal the rest first (write
 * a valid check over it, keyed when bit 0 is set, as a buggy writer holding
 * the secret would: unkeyed, XXH3-128 from version 4, BLAKE2b before), so
 * the layout checks behind the check are reached too;
 * the second byte is the number of parts the caller expects. The rest is
 * the value. A value that decodes must be exactly what value_encode makes of
 * what was decoded (the codec has one spelling for each value).
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer by the suite.
 */
#include <blake2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "store/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_AT 56	/* value.h: check[32] at 56, header of 88 bytes */

static const uint8_t secret[] = "fuzzing secret, 32 bytes long!!";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[1 << 20];
	struct memo_key k = { .hash = { 0x6d, 0x65, 0x6d, 0x6f } };
	struct iovec parts[VALUE_MAX_PARTS];
	struct value_meta meta;
	enum value_verdict v;
	struct membuf again;
	uint8_t space[256];
	int keyed, nparts;

	if (size < 2 || size - 2 > sizeof copy)
		return 0;
	keyed = data[0] & 1;
	/* 0..VALUE_MAX_PARTS+1, and -1: counts the decoder must refuse too. */
	nparts = data[1] == 255 ? -1 : data[1] % (VALUE_MAX_PARTS + 2);
	size -= 2;
	memcpy(copy, data + 2, size);
	value_set_secret(keyed ? secret : NULL, keyed ? sizeof secret - 1 : 0);
	if ((data[0] & 2) && size >= VALUE_HEADER_SIZE && !keyed && (copy[4] | copy[5] << 8) >= 4) {
		XXH3_state_t X;
		XXH128_canonical_t c;

		XXH3_128bits_reset(&X);
		XXH3_128bits_update(&X, k.hash, KEY_HASH_BYTES);
		XXH3_128bits_update(&X, copy, CHECK_AT);
		XXH3_128bits_update(&X, copy + VALUE_HEADER_SIZE, size - VALUE_HEADER_SIZE);
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&X));
		memcpy(copy + CHECK_AT, c.digest, 16);
		memset(copy + CHECK_AT + 16, 0, 16);
	} else if ((data[0] & 2) && size >= VALUE_HEADER_SIZE) {
		blake2b_state S;

		if (keyed)
			blake2b_init_key(&S, 32, secret, sizeof secret - 1);
		else
			blake2b_init(&S, 32);
		blake2b_update(&S, k.hash, KEY_HASH_BYTES);
		blake2b_update(&S, copy, CHECK_AT);
		blake2b_update(&S, copy + VALUE_HEADER_SIZE, size - VALUE_HEADER_SIZE);
		blake2b_final(&S, copy + CHECK_AT, 32);
	}
	v = value_decode(&k, copy, size, &meta, parts, nparts);
	if (!value_verdict_str(v))
		abort();
	if (v != VALUE_OK)
		return 0;
	for (int i = 0; i < nparts; i++)
		if ((const uint8_t *)parts[i].iov_base < copy ||
		    (const uint8_t *)parts[i].iov_base + parts[i].iov_len > copy + size)
			abort();	/* a part outside the value */
	membuf_init(&again, space, sizeof space);
	if (value_encode(&k, &meta, parts, nparts, &again) < 0)
		abort();
	/* A version-1 value decodes (no tag) but encodes as the current version */
	if (copy[4] == VALUE_VERSION && (again.len != size || memcmp(again.data, copy, size)))
		abort();	/* decode and encode disagree */
	membuf_release(&again);
	return 0;
}
