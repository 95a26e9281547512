/*
 * records: the records libmemo keeps besides results (records.h): their
 * keys and their encodings.
 */
#include "store/records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define GENERATION_TAG "g1"

_Static_assert(sizeof RECORDS_LEASE_PREFIX - 1 + 2 * KEY_HASH_BYTES < KEY_TEXT_MAX,
	       "a lease key does not fit in a memo_key");

/* ---- flush generation ------------------------------------------------ */

static uint64_t generation_get(struct store *s, const struct memo_key *k, struct memo_stats *st)
{
	uint8_t space[64];
	struct membuf b;
	uint64_t gen = 0;

	membuf_init(&b, space, sizeof space - 1);
	if (store_get(s, k, &b, st) == STORE_HIT && b.len < sizeof space) {
		b.data[b.len] = '\0';
		gen = strtoull((char *)b.data, NULL, 10);
	}
	membuf_release(&b);
	return gen;
}

uint64_t records_generation_read(struct store *s, const char *namespace_, const char *symbol,
				 struct memo_stats *st)
{
	struct memo_key k;

	key_record(&k, GENERATION_TAG, namespace_, symbol);
	return generation_get(s, &k, st);
}

int records_generation_bump(struct store *s, const char *namespace_, const char *symbol,
			    uint64_t *generation, struct memo_stats *st)
{
	struct memo_key k;
	char text[32];
	int n;

	key_record(&k, GENERATION_TAG, namespace_, symbol);
	*generation = generation_get(s, &k, st) + 1;
	n = snprintf(text, sizeof text, "%llu", (unsigned long long)*generation);
	return store_set(s, &k, text, n, st) < 0 ? -1 : 0;
}

/* ---- single-flight lease --------------------------------------------- */

void records_lease_key(struct memo_key *lease, const struct memo_key *entry)
{
	size_t p = sizeof RECORDS_LEASE_PREFIX - 1;

	memcpy(lease->hash, entry->hash, KEY_HASH_BYTES);
	memcpy(lease->text, RECORDS_LEASE_PREFIX, p);
	util_hex(lease->text + p, entry->hash, KEY_HASH_BYTES);
	lease->textlen = p + 2 * KEY_HASH_BYTES;
}
