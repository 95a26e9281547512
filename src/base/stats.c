/*
 * stats: the dump of per-symbol counters at exit, and the sum of a hook's
 * shards (stats.h). Owns the table and JSON formats; calls only libc. The
 * dump runs at exit or in a forked child's exit; formats into a local
 * buffer and writes it with one write(2), so concurrent processes appending
 * to one .jsonl never interleave.
 */
#include "base/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

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

/*
 * Every counter, once: its JSON name, its column in the table (NULL: JSON
 * only), and which table (the second holds the counters of repeated
 * evaluations and single flight, printed only for symbols that used them).
 * Times are kept in ns and shown in seconds.
 */
enum { MAIN, SECOND };
static const struct field {
	const char *json, *column;
	size_t offset;
	unsigned char table, seconds, width;
} fields[] = {
#define F(json, column, member, table, seconds, width) \
	{ json, column, offsetof(struct memo_stats, member), table, seconds, width }
	F("calls", "calls", calls, MAIN, 0, 8),
	F("hits", "hits", hits, MAIN, 0, 8),
	F("misses", "misses", misses, MAIN, 0, 8),
	F("sets", "sets", sets, MAIN, 0, 6),
	F("bypassed", "bypassed", bypassed, MAIN, 0, 8),
	F("evaluations", "evals", evaluations, MAIN, 0, 6),
	F("timeouts", "tmout", timeouts, MAIN, 0, 6),
	F("errors", "errors", errors, MAIN, 0, 6),
	F("reconnects", NULL, reconnects, MAIN, 0, 0),
	F("rejected", "rejected", rejected, MAIN, 0, 8),
	F("seconds_in_function", "in function", ns_in_function, MAIN, 1, 11),
	F("seconds_saved", "saved", ns_saved, MAIN, 1, 11),
	F("bytes_read", NULL, bytes_read, MAIN, 0, 0),
	F("bytes_written", NULL, bytes_written, MAIN, 0, 0),
	F("lookups_skipped", "skipped", lookups_skipped, MAIN, 0, 8),
	F("impure", "impure", impure, MAIN, 0, 6),
	F("converged", "converged", converged, SECOND, 0, 9),
	F("capped", "capped", capped, SECOND, 0, 9),
	F("open", "open", open, SECOND, 0, 9),
	F("waited", "waited", waited, SECOND, 0, 9),
	F("wait_expired", "wait expired", wait_expired, SECOND, 0, 12),
#undef F
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static uint64_t value_of(const struct memo_stats *s, const struct field *f)
{
	return __atomic_load_n((const uint64_t *)((const char *)s + f->offset), __ATOMIC_RELAXED);
}

static bool used_second(const struct memo_stats *s)
{
	size_t j;

	for (j = 0; j < NFIELDS; j++)
		if (fields[j].table == SECOND && value_of(s, &fields[j]))
			return true;
	return false;
}

static void table_header(struct out *o, int table, const char *first)
{
	size_t j;

	out_printf(o, "  %-20s", first);
	for (j = 0; j < NFIELDS; j++)
		if (fields[j].table == table && fields[j].column)
			out_printf(o, " %*s", fields[j].width, fields[j].column);
	out_printf(o, "\n");
}

static void table_row(struct out *o, int table, const struct stats_row *r)
{
	size_t j;

	/* a longer name (C++: `ns::cls::f(double const*)`) on a line of its
	 * own, so that the counters stay under their columns */
	if (strlen(r->symbol) > 20)
		out_printf(o, "  %s\n  %-20s", r->symbol, "");
	else
		out_printf(o, "  %-20s", r->symbol);
	for (j = 0; j < NFIELDS; j++) {
		const struct field *f = &fields[j];
		if (f->table != table || !f->column)
			continue;
		if (f->seconds)
			out_printf(o, " %*.3fs", f->width - 1, (double)value_of(r->st, f) / 1e9);
		else
			out_printf(o, " %*llu", f->width, (unsigned long long)value_of(r->st, f));
	}
	out_printf(o, "\n");
}

static void format_table(struct out *o, const struct stats_row *rows, int n)
{
	bool second = false;
	int i;

	out_printf(o, "libmemo: stats for pid %d\n", (int)getpid());
	table_header(o, MAIN, "symbol");
	for (i = 0; i < n; i++)
		table_row(o, MAIN, &rows[i]);
	for (i = 0; i < n; i++) {
		if (!used_second(rows[i].st))
			continue;
		if (!second)
			table_header(o, SECOND, "symbol (keys, waits)");
		second = true;
		table_row(o, SECOND, &rows[i]);
	}
}

/* Symbol names are C identifiers (plus '@' and '.'), so they need no escaping. */
static void format_json(struct out *o, const struct stats_row *rows, int n)
{
	size_t j;
	int i;

	out_printf(o, "{\"pid\": %d, \"symbols\": {", (int)getpid());
	for (i = 0; i < n; i++) {
		out_printf(o, "%s\"%s\": {", i ? ", " : "", rows[i].symbol);
		for (j = 0; j < NFIELDS; j++) {
			const struct field *f = &fields[j];
			if (f->seconds)
				out_printf(o, "%s\"%s\": %.6f", j ? ", " : "", f->json,
					   (double)value_of(rows[i].st, f) / 1e9);
			else
				out_printf(o, "%s\"%s\": %llu", j ? ", " : "", f->json,
					   (unsigned long long)value_of(rows[i].st, f));
		}
		out_printf(o, "}");
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
		int err = log_stderr_fd();	/* the stderr the process started with, or none */

		if (err < 0)
			return;
		format_table(&o, rows, n);
		if (write(err, o.buf, o.n) < 0) { /* nowhere left to say it */ }
		return;
	}
	format_json(&o, rows, n);
	expand_path(dest, path, sizeof path);
	/* O_NONBLOCK: a FIFO nobody reads (ENXIO) or a reader that stalls must
	 * not hold the program at its exit; a short write is said. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0) {
		log_warn("cannot write stats to '%s': %s", path,
			 errno == ENXIO ? "a FIFO or socket with no reader" : strerror(errno));
		return;
	}
	if (write(fd, o.buf, o.n) != (ssize_t)o.n)
		log_warn("short write of stats to '%s'", path);
	close(fd);
}

__thread unsigned stats_thread_shard;
unsigned stats_next_shard;

void stats_sum(const struct stats_shards *s, struct memo_stats *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < STATS_SHARDS; i++)
		for (size_t j = 0; j < offsetof(struct memo_stats, owned) / sizeof(uint64_t); j++)
			((uint64_t *)out)[j] += __atomic_load_n((const uint64_t *)&s->shard[i].st + j,
								__ATOMIC_RELAXED);
}

void stats_reset(struct stats_shards *s)
{
	memset(s, 0, sizeof *s);
}
