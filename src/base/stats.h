/*
 * stats: per-symbol counters, and their dump at exit (a table on stderr, or
 * one JSON line per process appended to a file).
 * Counters are relaxed atomics: safe from any thread, no lock, no allocation.
 * After fork the child zeroes them (stats_reset) and reports its own.
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

struct stats_row {
	const char *symbol;
	const struct memo_stats *st;
};

/* Write the rows to `dest`: "stderr", "off", or a path where %p = pid
 * (a JSON line is appended with one write). */
void stats_dump(const char *dest, const struct stats_row *rows, int n);

void stats_reset(struct memo_stats *st);

#endif
