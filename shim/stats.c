/*
 * stats: the dump of per-symbol counters at exit (stats.h).
 * Owns the table and JSON formats; calls only libc. Runs at exit or in a
 * forked child's exit; formats into a local buffer and writes it with one
 * write(2), so concurrent processes appending to one .jsonl never interleave.
 */
#include "stats.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

struct out {
	char buf[65536];
	size_t n;
};

static void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int m;

	if (o->n >= sizeof o->buf - 1)
		return;
	va_start(ap, fmt);
	m = vsnprintf(o->buf + o->n, sizeof o->buf - o->n, fmt, ap);
	va_end(ap);
	if (m > 0)
		o->n += (size_t)m < sizeof o->buf - o->n ? (size_t)m : sizeof o->buf - o->n - 1;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* Repeated evaluations and single flight: their own rows, under the main
 * table, for the symbols that used them (most programs have none). */
static void format_table_flights(struct out *o, const struct stats_row *rows, int n)
{
	bool header = false;
	int i;

	for (i = 0; i < n; i++) {
		const struct memo_stats *s = rows[i].st;
		uint64_t c = STAT_GET(s, converged), m = STAT_GET(s, capped), op = STAT_GET(s, open);
		uint64_t w = STAT_GET(s, waited), x = STAT_GET(s, wait_expired);

		if (!(c | m | op | w | x))
			continue;
		if (!header)
			out_printf(o, "  %-20s %9s %9s %9s %9s %12s\n", "symbol (keys, waits)",
				   "converged", "capped", "open", "waited", "wait expired");
		header = true;
		out_printf(o, "  %-20s %9llu %9llu %9llu %9llu %12llu\n", rows[i].symbol,
			   (unsigned long long)c, (unsigned long long)m, (unsigned long long)op,
			   (unsigned long long)w, (unsigned long long)x);
	}
}

static void format_table(struct out *o, const struct stats_row *rows, int n)
{
	int i;

	out_printf(o, "libmemo: stats for pid %d\n", (int)getpid());
	out_printf(o, "  %-20s %8s %8s %8s %6s %8s %6s %6s %6s %8s %8s %11s %11s %6s\n",
		   "symbol", "calls", "hits", "misses", "sets", "bypassed", "evals",
		   "errors", "tmout", "rejected", "skipped", "in function", "saved", "impure");
	for (i = 0; i < n; i++) {
		const struct memo_stats *s = rows[i].st;
		out_printf(o, "  %-20s %8llu %8llu %8llu %6llu %8llu %6llu %6llu %6llu %8llu %8llu %10.3fs %10.3fs %6llu\n",
			   rows[i].symbol,
			   (unsigned long long)STAT_GET(s, calls),
			   (unsigned long long)STAT_GET(s, hits),
			   (unsigned long long)STAT_GET(s, misses),
			   (unsigned long long)STAT_GET(s, sets),
			   (unsigned long long)STAT_GET(s, bypassed),
			   (unsigned long long)STAT_GET(s, evaluations),
			   (unsigned long long)STAT_GET(s, errors),
			   (unsigned long long)STAT_GET(s, timeouts),
			   (unsigned long long)STAT_GET(s, rejected),
			   (unsigned long long)STAT_GET(s, lookups_skipped),
			   secs(STAT_GET(s, ns_in_function)),
			   secs(STAT_GET(s, ns_saved)),
			   (unsigned long long)STAT_GET(s, impure));
	}
	format_table_flights(o, rows, n);
}

/* Symbol names are C identifiers (plus '@' and '.'), so they need no escaping. */
static void format_json(struct out *o, const struct stats_row *rows, int n)
{
	int i;

	out_printf(o, "{\"pid\": %d, \"symbols\": {", (int)getpid());
	for (i = 0; i < n; i++) {
		const struct memo_stats *s = rows[i].st;
		out_printf(o, "%s\"%s\": {\"calls\": %llu, \"hits\": %llu, \"misses\": %llu, "
			   "\"sets\": %llu, \"bypassed\": %llu, \"evaluations\": %llu, "
			   "\"timeouts\": %llu, \"errors\": %llu, \"reconnects\": %llu, "
			   "\"rejected\": %llu, \"seconds_in_function\": %.6f, "
			   "\"seconds_saved\": %.6f, \"bytes_read\": %llu, \"bytes_written\": %llu, "
			   "\"lookups_skipped\": %llu",
			   i ? ", " : "", rows[i].symbol,
			   (unsigned long long)STAT_GET(s, calls),
			   (unsigned long long)STAT_GET(s, hits),
			   (unsigned long long)STAT_GET(s, misses),
			   (unsigned long long)STAT_GET(s, sets),
			   (unsigned long long)STAT_GET(s, bypassed),
			   (unsigned long long)STAT_GET(s, evaluations),
			   (unsigned long long)STAT_GET(s, timeouts),
			   (unsigned long long)STAT_GET(s, errors),
			   (unsigned long long)STAT_GET(s, reconnects),
			   (unsigned long long)STAT_GET(s, rejected),
			   secs(STAT_GET(s, ns_in_function)),
			   secs(STAT_GET(s, ns_saved)),
			   (unsigned long long)STAT_GET(s, bytes_read),
			   (unsigned long long)STAT_GET(s, bytes_written),
			   (unsigned long long)STAT_GET(s, lookups_skipped));
		out_printf(o, ", \"converged\": %llu, \"capped\": %llu, \"open\": %llu, "
			   "\"waited\": %llu, \"wait_expired\": %llu, \"impure\": %llu}",
			   (unsigned long long)STAT_GET(s, converged),
			   (unsigned long long)STAT_GET(s, capped),
			   (unsigned long long)STAT_GET(s, open),
			   (unsigned long long)STAT_GET(s, waited),
			   (unsigned long long)STAT_GET(s, wait_expired),
			   (unsigned long long)STAT_GET(s, impure));
	}
	out_printf(o, "}}\n");
}

/* Expand %p to the pid; other characters are copied. */
static void expand_path(const char *pattern, char *path, size_t cap)
{
	size_t n = 0;

	for (; *pattern && n + 24 < cap; pattern++) {
		if (pattern[0] == '%' && pattern[1] == 'p') {
			n += snprintf(path + n, cap - n, "%d", (int)getpid());
			pattern++;
		} else {
			path[n++] = *pattern;
		}
	}
	path[n] = '\0';
}

void stats_dump(const char *dest, const struct stats_row *rows, int n)
{
	static struct out o;	/* 64 KiB: too large for a host thread's stack */
	char path[4096];
	int fd;

	if (!strcmp(dest, "off"))
		return;
	o.n = 0;
	if (!strcmp(dest, "stderr")) {
		format_table(&o, rows, n);
		if (write(STDERR_FILENO, o.buf, o.n) < 0) { /* nowhere left to say it */ }
		return;
	}
	format_json(&o, rows, n);
	expand_path(dest, path, sizeof path);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("cannot write stats to '%s': %m", path);
		return;
	}
	if (write(fd, o.buf, o.n) != (ssize_t)o.n)
		log_warn("short write of stats to '%s'", path);
	close(fd);
}

void stats_reset(struct memo_stats *st)
{
	memset(st, 0, sizeof *st);
}
