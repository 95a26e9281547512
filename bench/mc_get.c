/*
 * mc_get: the per-call cost of a hit through the memcached store API
 * (src/store/store_memcached.c) against a raw libmemcached get of the same value
 * from the same server, measured side by side, interleaved, in one run.
 * Also counts allocations per call (malloc is interposed here), to check
 * that a store get allocates nothing beyond what libmemcached does.
 *
 *   mc_get SERVER [ITERS]      (bench/mc_get.sh starts a server and runs it)
 */
#include <blake2.h>
#include <inttypes.h>
#include <libmemcached/memcached.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "store/store.h"


/* Allocation counter: every malloc-family call in this process. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static unsigned long nalloc;

void *malloc(size_t n)
{
	nalloc++;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	nalloc++;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	nalloc++;
	return __libc_realloc(p, n);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define ROUNDS 9

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 8, 1024, 65536 };
	static uint8_t space[128 * 1024];	/* the caller's buffer: a hit fits */
	struct cache_config cfg = { .connect_timeout_ms = 500, .timeout_ms = 500 };
	int iters = argc > 2 ? atoi(argv[2]) : 2000;
	struct memo_stats stats = { 0 };
	struct store *st;
	memcached_st *raw;
	memcached_server_st *list;

	if (argc < 2) {
		fprintf(stderr, "usage: mc_get SERVER [ITERS]\n");
		return 2;
	}
	snprintf(cfg.servers, sizeof cfg.servers, "%s", argv[1]);
	snprintf(cfg.file, sizeof cfg.file, "mc_get");
	st = memo_store_memcached_open(&cfg, NULL);
	raw = memcached_create(NULL);
	list = memcached_servers_parse(argv[1]);
	if (!st || !raw || !list)
		return 1;
	/* The raw client as a careful user would set it up: the same transport. */
	memcached_behavior_set(raw, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	memcached_behavior_set(raw, MEMCACHED_BEHAVIOR_NO_BLOCK, 1);
	memcached_behavior_set(raw, MEMCACHED_BEHAVIOR_KETAMA_HASH, MEMCACHED_HASH_MD5);
	memcached_behavior_set(raw, MEMCACHED_BEHAVIOR_HASH, MEMCACHED_HASH_MD5);
	memcached_behavior_set(raw, MEMCACHED_BEHAVIOR_DISTRIBUTION,
			       MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA);
	memcached_server_push(raw, list);
	memcached_server_list_free(list);

	printf("%-8s %12s %12s %7s %14s %14s\n", "size", "store ns", "raw ns", "ratio",
	       "store allocs", "raw allocs");
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		size_t size = sizes[z];
		uint8_t *val = malloc(size);
		double ts[ROUNDS], tr[ROUNDS];
		unsigned long as = 0, ar = 0;
		struct memo_key k;
		char name[32];

		snprintf(name, sizeof name, "bench-%zu", size);
		blake2b(k.hash, name, NULL, sizeof k.hash, strlen(name), 0);
		memcpy(k.text, "m1-", 3);
		for (int j = 0; j < 32; j++)
			sprintf(k.text + 3 + 2 * j, "%02x", k.hash[j]);
		k.textlen = 67;
		memset(val, 0x5a, size);
		if (store_set(st, &k, val, size, &stats) != STORE_HIT) {
			fprintf(stderr, "mc_get: cannot store the %zu-byte value\n", size);
			return 1;
		}
		for (int r = 0; r < ROUNDS; r++) {
			struct membuf b;
			unsigned long a0;
			double t0;
			int i;

			/* Warm both paths (the thread handle, buffers) outside timing. */
			membuf_init(&b, space, sizeof space);
			store_get(st, &k, &b, &stats);
			free(memcached_get(raw, k.text, k.textlen, NULL, NULL, NULL));

			a0 = nalloc;
			t0 = now_ns();
			for (i = 0; i < iters; i++) {
				membuf_init(&b, space, sizeof space);
				if (store_get(st, &k, &b, &stats) != STORE_HIT || b.len != size)
					return fprintf(stderr, "mc_get: store miss\n"), 1;
			}
			ts[r] = (now_ns() - t0) / iters;
			as += nalloc - a0;

			a0 = nalloc;
			t0 = now_ns();
			for (i = 0; i < iters; i++) {
				size_t len;
				uint32_t flags;
				memcached_return_t rc;
				char *v = memcached_get(raw, k.text, k.textlen, &len, &flags, &rc);

				if (!v || len != size)
					return fprintf(stderr, "mc_get: raw miss\n"), 1;
				free(v);
			}
			tr[r] = (now_ns() - t0) / iters;
			ar += nalloc - a0;
		}
		qsort(ts, ROUNDS, sizeof *ts, cmp_double);
		qsort(tr, ROUNDS, sizeof *tr, cmp_double);
		/* Medians of the rounds: robust to a neighbour's burst. */
		printf("%-8zu %12.0f %12.0f %7.2f %14.2f %14.2f\n", size, ts[ROUNDS / 2],
		       tr[ROUNDS / 2], ts[ROUNDS / 2] / tr[ROUNDS / 2],
		       (double)as / (ROUNDS * iters), (double)ar / (ROUNDS * iters));
		free(val);
	}
	memcached_free(raw);
	store_free(st);
	return 0;
}
