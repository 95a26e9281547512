/*
 * stats: per-symbol counters, and their dump at exit (a table on stderr, or
 * one JSON line per process appended to a file).
 * Counters are safe from any thread, with no lock and no allocation. A hook
 * keeps them in shards (struct stats_shards), a cache line apart, so that
 * threads serving hits at once do not all write one line at every call:
 * each of the first STATS_SHARDS - 1 threads that count owns a shard, and
 * adds to it with one plain instruction (no lock prefix: a locked add also
 * waits for every store before it, such as l1's slot just written); later
 * threads share the last shard, with atomic adds. Readers sum the shards
 * (stats_sum) with relaxed loads: an aligned 8-byte add is never seen half
 * made. After fork the child zeroes them (stats_reset) and reports its own.
 *
 * The rule that keeps every count exact: a thread adds only to the shard
 * stats_mine gives it (of any hook), or to counters no other thread writes.
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
	/* not a counter: set (by stats_mine, in its thread) on a shard one
	 * thread owns, whose adds then need no lock */
	uint64_t owned;
};

#define STATS_SHARDS 16
struct stats_shards {
	struct stats_shard {
		struct memo_stats st;
	} __attribute__((aligned(64))) shard[STATS_SHARDS];
};

/* This thread's shard + 1 (0: none taken yet; STATS_SHARDS: the shared
 * one), and the next to take. The engine's. */
extern __thread unsigned stats_thread_shard;
extern unsigned stats_next_shard;

/* The counters this thread adds to. Inline and calling nothing: l1_hit.c
 * counts its hits with it. */
static inline struct memo_stats *stats_mine(struct stats_shards *s)
{
	unsigned i = stats_thread_shard;
	struct memo_stats *st;

	if (__builtin_expect(!i, 0)) {
		i = __atomic_fetch_add(&stats_next_shard, 1, __ATOMIC_RELAXED);
		stats_thread_shard = i = (i < STATS_SHARDS - 1 ? i : STATS_SHARDS - 1) + 1;
	}
	st = &s->shard[i - 1].st;
	if (__builtin_expect(!st->owned, 0) && i < STATS_SHARDS)
		st->owned = 1;	/* zeroed again by a fork child's stats_reset */
	return st;
}

/* Add n to a counter of st: one instruction, which a signal handler's own
 * count cannot split, where this thread owns st; else atomically. */
static inline void stat_add(const struct memo_stats *st, uint64_t *c, uint64_t n)
{
	if (st->owned)
		__asm__("addq %1, %0" : "+m"(*c) : "er"(n));
	else
		__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

#define STAT_ADD(st, field, n) \
	({ struct memo_stats *stat_ = (st); stat_add(stat_, &stat_->field, (uint64_t)(n)); })
#define STAT_GET(st, field) __atomic_load_n(&(st)->field, __ATOMIC_RELAXED)

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
