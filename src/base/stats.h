/*
 * stats: per-symbol counters, and their dump at exit (a table on stderr, or
 * one JSON line per process appended to a file).
 * Counters are relaxed atomics: safe from any thread, no lock, no allocation.
 * A hook keeps them in shards (struct stats_shards), one cache line apart,
 * each thread adding to its own (stats_mine): threads serving hits at once
 * would otherwise all write one line at every call. Readers sum the shards
 * (stats_sum). After fork the child zeroes them (stats_reset) and reports
 * its own.
 */
#ifndef MEMO_STATS_H
#define MEMO_STATS_H

#include <stdint.h>

struct memo_stats {
	uint64_t calls, hits, misses, sets, bypassed, evaluations;
	uint64_t timeouts, errors, reconnects, rejected;
	uint64_t ns_in_function, ns_saved;
	uint64_t bytes_read, bytes_written;
	uint64_t lookups_skipped;	/* adaptive bypass: calls that skipped the shared store */
	/* Repeated evaluations (repeat.c): the keys this process touched, by the
	 * state it last saw them in: settled by the stderr rule, stopped at
	 * max_repetitions, not settled. Keys, not calls; `open` goes down too. */
	uint64_t converged, capped, open;
	/* Single flight (flight.c): calls that waited for another caller's
	 * computation, and those of them whose wait ran out. */
	uint64_t waited, wait_expired;
	uint64_t impure;		/* verify: a recomputed hit differed */
};

#define STAT_ADD(st, field, n) \
	__atomic_fetch_add(&(st)->field, (uint64_t)(n), __ATOMIC_RELAXED)
#define STAT_GET(st, field) __atomic_load_n(&(st)->field, __ATOMIC_RELAXED)

/* A hook's counters, by thread. Threads take shards in turn as they first
 * count; past STATS_SHARDS threads share them, and the atomic adds keep
 * every count exact all the same. */
#define STATS_SHARDS 16
struct stats_shards {
	struct stats_shard {
		struct memo_stats st;
	} __attribute__((aligned(64))) shard[STATS_SHARDS];
};

/* This thread's shard + 1 (0: none taken yet), and the next to take. */
extern __thread unsigned stats_thread_shard;
extern unsigned stats_next_shard;

/* The counters this thread adds to. Inline and calling nothing: l1_hit.c
 * counts its hits with it. */
static inline struct memo_stats *stats_mine(struct stats_shards *s)
{
	unsigned i = stats_thread_shard;

	if (__builtin_expect(!i, 0))
		stats_thread_shard = i =
			__atomic_fetch_add(&stats_next_shard, 1, __ATOMIC_RELAXED) % STATS_SHARDS + 1;
	return &s->shard[i - 1].st;
}

/* Every shard's counters added up, into *out. */
void stats_sum(const struct stats_shards *s, struct memo_stats *out);

struct stats_row {
	const char *symbol;
	const struct memo_stats *st;
};

/* Write the rows to `dest`: "stderr", "off", or a path where %p = pid
 * (a JSON line is appended with one write). */
void stats_dump(const char *dest, const struct stats_row *rows, int n);

void stats_reset(struct stats_shards *s);

#endif
