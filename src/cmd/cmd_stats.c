/*
 * memo stats: what the cache holds and what it did, in sizes people read.
 * The folder's space on disk and max_size; per function its entries, their
 * bytes and disk (each entry's tag: value.h) and, from the stats every
 * process adds at exit (records.h "stats across runs"), its calls, hits,
 * misses and time saved; the evictions; each memcached server's status.
 * --json says the same as one JSON object; -z zeroes the counters.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "config/config.h"
#include "store/records.h"
#include "store/store.h"
#include "cmd/memo.h"

/* One row: a configured function, or a name the stats files hold. */
struct row {
	const char *symbol;
	uint64_t tag;
	uint64_t entries, bytes, disk;
	struct records_tally runs;
};

struct table {
	struct row *rows;
	int n;
	struct row untagged, other;	/* version-1 entries and records; unknown tags */
};

static struct row *row_named(struct table *t, const char *symbol, const char *namespace_)
{
	struct row *r;

	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].symbol, symbol))
			return &t->rows[i];
	r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	r->symbol = symbol;
	r->tag = records_function_tag(namespace_, symbol);
	return r;
}

static void count_entry(void *ctx, uint64_t tag, uint64_t bytes, uint64_t disk)
{
	struct table *t = ctx;
	struct row *r = tag ? &t->other : &t->untagged;

	for (int i = 0; tag && i < t->n; i++)
		if (t->rows[i].tag == tag)
			r = &t->rows[i];
	r->entries++;
	r->bytes += bytes;
	r->disk += disk;
}

static void print_row(const struct row *r, const char *name)
{
	char bytes[16], disk[16];

	util_human_size(bytes, sizeof bytes, r->bytes);
	util_human_size(disk, sizeof disk, r->disk);
	if (strlen(name) > 20)	/* a long (C++) name on a line of its own, as in the exit table */
		printf("  %s\n", name);
	printf("  %-20s %8" PRIu64 " %7s %7s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %9.3fs\n",
	       strlen(name) > 20 ? "" : name, r->entries, bytes, disk, r->runs.calls, r->runs.hits, r->runs.misses,
	       (double)r->runs.ns_saved / 1e9);
}

static void print_text(const struct table *t, const struct records_tallies *runs,
		       bool folder)
{
	char freed[16];

	printf("functions (calls, hits, misses, saved: every run since the last 'memo stats -z')\n");
	printf("  %-20s %8s %7s %7s %8s %8s %8s %10s\n", "function", "entries", "bytes", "on disk",
	       "calls", "hits", "misses", "saved");
	for (int i = 0; i < t->n; i++)
		print_row(&t->rows[i], t->rows[i].symbol);
	if (t->untagged.entries)
		print_row(&t->untagged, "(untagged)");
	if (t->other.entries)
		print_row(&t->other, "(other)");
	if (t->untagged.entries || t->other.entries)
		printf("  (untagged: written before libmemo tagged entries, or records such as "
		       "flush generations; other: functions this config does not name)\n");
	if (folder) {
		util_human_size(freed, sizeof freed, runs->evicted_bytes);
		printf("evicted %" PRIu64 " entries (%s), every run\n", runs->evicted, freed);
	}
}

/* Symbols are C and C++ names: only '"' and '\\' need escaping, and they
 * never appear, but a config may say anything. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_sizes(const struct row *r)
{
	printf("\"entries\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"disk\": %" PRIu64,
	       r->entries, r->bytes, r->disk);
}

static void print_json(const struct table *t, const struct records_tallies *runs,
		       const struct store_usage *u, const char *dir)
{
	printf("{\"folder\": ");
	if (u) {
		printf("{\"dir\": ");
		json_string(dir);
		printf(", \"entries\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"disk\": %" PRIu64
		       ", \"max_size\": %" PRIu64 ", \"evicted\": %" PRIu64
		       ", \"evicted_disk\": %" PRIu64 "}", u->entries, u->bytes, u->disk,
		       u->max_size, runs->evicted, runs->evicted_bytes);
	} else {
		printf("null");
	}
	printf(", \"functions\": {");
	for (int i = 0; i < t->n; i++) {
		const struct row *r = &t->rows[i];

		printf("%s", i ? ", " : "");
		json_string(r->symbol);
		printf(": {");
		json_sizes(r);
		printf(", \"calls\": %" PRIu64 ", \"hits\": %" PRIu64 ", \"misses\": %" PRIu64
		       ", \"sets\": %" PRIu64 ", \"seconds_saved\": %.6f"
		       ", \"seconds_in_function\": %.6f}", r->runs.calls, r->runs.hits,
		       r->runs.misses, r->runs.sets, (double)r->runs.ns_saved / 1e9,
		       (double)r->runs.ns_in_function / 1e9);
	}
	printf("}, \"untagged\": {");
	json_sizes(&t->untagged);
	printf("}, \"other\": {");
	json_sizes(&t->other);
	printf("}}\n");
}

static const struct cmd_option stats_options[] = {
	{ "--json", 0, NULL, "the same as one JSON object" },
	{ "--zero", 'z', NULL, "zero the counters kept across runs" },
	{ NULL },
};

const struct cmd_spec cmd_stats_spec = {
	"stats", "[-c DIR] [--json] [-z]",
	"What the cache of config DIR holds and did: the folder's space on disk\n"
	"and max_size; per function its entries, their size, and the calls, hits,\n"
	"misses and time saved of every run (each process adds its own at exit);\n"
	"evictions; each memcached server's status.\n",
	.config = true, .options = stats_options,
};

int cmd_stats(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	struct records_tallies runs = { 0 };
	struct store_usage u = { 0 };
	struct table t = { 0 };
	struct store *folder = NULL, *mc = NULL;
	char home[PATH_MAX];
	bool json = a->opt[0], have_usage = false;
	int rc = 1;

	log_init();
	if (config_load(a->dir, &cfg)) {
		fprintf(stderr, "memo: errors in '%s'\n", a->dir);
		goto out;
	}
	records_stats_home(&cfg.cache, home);
	if (a->opt[1]) {
		if (records_stats_zero(home) < 0) {
			fprintf(stderr, "memo: some stats in '%s/stats' could not be zeroed\n", home);
			goto out;
		}
		printf("zeroed the stats kept in '%s/stats'\n", home);
		rc = 0;
		goto out;
	}
	if (records_stats_read(home, &runs) < 0)
		fprintf(stderr, "memo: some stats in '%s/stats' could not be read\n", home);
	t.rows = calloc((size_t)cfg.nfuncs + (size_t)runs.n + 1, sizeof *t.rows);
	if (!t.rows)
		goto out;
	for (int i = 0; i < cfg.nfuncs; i++)
		row_named(&t, cfg.funcs[i].symbol, cfg.cache.namespace_);
	for (int i = 0; i < runs.n; i++)
		row_named(&t, runs.rows[i].symbol, cfg.cache.namespace_)->runs = runs.rows[i];
	if (cfg.cache.dir[0] && (folder = store_folder_open(&cfg.cache)))
		have_usage = folder->ops->usage(folder, &u, count_entry, &t) == 0;
	if (cfg.cache.servers[0] && store_memcached_opener)
		mc = store_memcached_opener(&cfg.cache, NULL);
	if (json) {
		print_json(&t, &runs, have_usage ? &u : NULL, cfg.cache.dir);
	} else {
		if (folder)
			folder->ops->report(folder, stdout);
		if (mc)
			mc->ops->report(mc, stdout);
		print_text(&t, &runs, folder);
	}
	rc = cfg.cache.dir[0] && !have_usage;
out:
	store_free(folder);
	store_free(mc);
	free(t.rows);
	records_tallies_free(&runs);
	config_release(&cfg);
	return rc;
}
