/*
 * memo report -c DIR [STATS.jsonl...] -o report.html: one self-contained
 * HTML page (no script, no network resource: inline CSS and SVG) of what
 * the cache did: per function, the calls, hit ratio and time saved over
 * every run since the last `memo stats -z` (the stats kept across runs,
 * store/records.h), and, from the JSON lines of `stats = FILE.jsonl` (one
 * line a process), the same run after run with a chart of the time each
 * function saved. Calls config, records, libc.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config.h"
#include "store/records.h"
#include "cmd/memo.h"

/* One function in one run (a process's JSON line). */
struct cell {
	uint64_t calls, hits;
	double saved;
};

struct report {
	char **names;		/* every function met, config's first */
	int nnames, capnames;
	struct cell *cells;	/* cells[run * MAXFN + function] */
	int nruns, capruns;
	char (*source)[64];	/* each run: "FILE:LINE pid N" */
};

#define MAXFN 64	/* functions shown; more are left out, and said */

static int name_index(struct report *r, const char *name)
{
	for (int i = 0; i < r->nnames; i++)
		if (!strcmp(r->names[i], name))
			return i;
	if (r->nnames == MAXFN)
		return -1;
	r->names[r->nnames] = strdup(name);
	return r->names[r->nnames] ? r->nnames++ : -1;
}

/* A JSON string at *p (after its opening quote) into out: its end quote
 * passed. Escapes are kept as the character they escape. */
static const char *json_string(const char *p, char *out, size_t cap)
{
	size_t n = 0;

	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 < cap)
			out[n++] = *p;
	}
	out[n] = '\0';
	return *p ? p + 1 : NULL;
}

/* A number after "KEY": in the object that starts at obj and ends at end. */
static double json_number(const char *obj, const char *end, const char *key)
{
	char pat[48];
	const char *at;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	at = strstr(obj, pat);
	return at && at < end ? strtod(at + strlen(pat), NULL) : 0;
}

/* One line of a stats file: {"pid": N, "symbols": {"f": {...}, ...}}.
 * 0, or -1 when it is no such line. */
static int read_run(struct report *r, const char *line, const char *file, int lineno)
{
	const char *p = strstr(line, "\"symbols\":"), *pid = strstr(line, "\"pid\":");
	struct cell *row;
	char *name;	/* any of the line's names, whole: sized from the line */

	if (!p || !(p = strchr(p, '{')) || !(name = malloc(strlen(p) + 1)))
		return -1;
	if (r->nruns == r->capruns) {
		int nc = r->capruns ? 2 * r->capruns : 64;
		struct cell *c = realloc(r->cells, (size_t)nc * MAXFN * sizeof *c);
		char (*s)[64] = c ? realloc(r->source, (size_t)nc * sizeof *s) : NULL;

		if (c)
			r->cells = c;
		if (!s) {
			free(name);
			return -1;
		}
		r->source = s;
		r->capruns = nc;
	}
	row = r->cells + (size_t)r->nruns * MAXFN;
	memset(row, 0, MAXFN * sizeof *row);
	snprintf(r->source[r->nruns], sizeof r->source[0], "%.40s:%d, pid %ld",
		 strrchr(file, '/') ? strrchr(file, '/') + 1 : file, lineno,
		 pid ? strtol(pid + 6, NULL, 10) : 0L);
	p++;
	while ((p = strchr(p, '"'))) {
		const char *obj, *end;
		int i;

		if (!(p = json_string(p + 1, name, strlen(p + 1) + 1)) || !(obj = strchr(p, '{')) ||
		    !(end = strchr(obj, '}')))
			break;
		if ((i = name_index(r, name)) >= 0) {
			row[i].calls = (uint64_t)json_number(obj, end, "calls");
			row[i].hits = (uint64_t)json_number(obj, end, "hits");
			row[i].saved = json_number(obj, end, "seconds_saved");
		}
		p = end + 1;
	}
	free(name);
	r->nruns++;
	return 0;
}

static int read_jsonl(struct report *r, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, bad = 0;

	if (!f) {
		fprintf(stderr, "memo: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0)
		if (read_run(r, line, path, ++lineno) < 0)
			bad++;
	if (bad)
		fprintf(stderr, "memo: '%s': %d line%s that are not libmemo's stats, left out\n",
			path, bad, bad > 1 ? "s" : "");
	free(line);
	fclose(f);
	return 0;
}

/* text, escaped for HTML */
static void html(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

static const char *const palette[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
				       "#9467bd", "#8c564b", "#e377c2", "#17becf" };
#define COLOR(i) palette[(i) % (sizeof palette / sizeof palette[0])]

/* seconds as people read them: 2.31 s, 12.5 ms, 40 µs */
static void seconds(FILE *f, double s)
{
	if (s >= 1)
		fprintf(f, "%.2f s", s);
	else if (s >= 1e-3)
		fprintf(f, "%.1f ms", s * 1e3);
	else
		fprintf(f, "%.0f &micro;s", s * 1e6);
}

static void row_cells(FILE *f, uint64_t calls, uint64_t hits, double saved)
{
	fprintf(f, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>", calls, hits);
	if (calls)
		fprintf(f, "%.1f%%", 100.0 * (double)hits / (double)calls);
	else
		fputs("&ndash;", f);
	fputs("</td><td>", f);
	seconds(f, saved);
	fputs("</td>", f);
}

/* The time each function saved, run after run (cumulative): one line each. */
static void chart(FILE *f, const struct report *r)
{
	const int w = 720, h = 300, left = 70, right = 20, top = 20, bottom = 40;
	double max = 0, *sum = calloc((size_t)r->nnames, sizeof *sum);

	if (!sum)
		return;
	for (int run = 0; run < r->nruns; run++)
		for (int i = 0; i < r->nnames; i++)
			if ((sum[i] += r->cells[(size_t)run * MAXFN + i].saved) > max)
				max = sum[i];
	if (max <= 0)
		max = 1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"role=\"img\" aria-label=\"time saved, run after run\">\n", w, h + 20 * r->nnames);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", left, h - bottom,
		w - right, h - bottom);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", left, top, left,
		h - bottom);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, top + 4);
	seconds(f, max);
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", left - 6, h - bottom + 4);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">run (1 to %d): time saved so "
		"far</text>\n", (left + w - right) / 2, h - 10, r->nruns);
	for (int i = 0; i < r->nnames; i++) {
		double acc = 0;

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			COLOR(i));
		for (int run = 0; run < r->nruns; run++) {
			double x = left + (r->nruns > 1 ? (double)run / (r->nruns - 1) : 0.5) *
					  (w - left - right);

			acc += r->cells[(size_t)run * MAXFN + i].saved;
			fprintf(f, "%s%.1f,%.1f", run ? " " : "", x,
				h - bottom - acc / max * (h - top - bottom));
		}
		fprintf(f, "\"/>\n<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">", left, h + 20 * i, COLOR(i), left + 18, h + 20 * i + 11);
		html(f, r->names[i]);
		fputs(": ", f);
		seconds(f, acc);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
	free(sum);
}

static void page(FILE *f, const char *dir, const struct records_tallies *t, const struct report *r)
{
	char when[64];
	time_t now = time(NULL);

	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&now));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<title>libmemo report</title>\n<style>\n"
	      "body { font-family: sans-serif; margin: 2em; color: #222; }\n"
	      "table { border-collapse: collapse; margin: 1em 0; }\n"
	      "th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }\n"
	      "th:first-child, td:first-child, td.name { text-align: left; }\n"
	      "svg text { font: 12px sans-serif; }\n</style>\n</head>\n<body>\n", f);
	fputs("<h1>libmemo report</h1>\n<p>Config <code>", f);
	html(f, dir);
	fprintf(f, "</code>, %s.</p>\n", when);
	fputs("<h2>Every run since the last <code>memo stats -z</code></h2>\n", f);
	if (!t->n) {
		fputs("<p>No runs recorded.</p>\n", f);
	} else {
		fputs("<table>\n<tr><th>function</th><th>calls</th><th>hits</th><th>hit ratio</th>"
		      "<th>time saved</th></tr>\n", f);
		for (int i = 0; i < t->n; i++) {
			fputs("<tr><td>", f);
			html(f, t->rows[i].symbol);
			fputs("</td>", f);
			row_cells(f, t->rows[i].calls, t->rows[i].hits, t->rows[i].ns_saved / 1e9);
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("<h2>Run after run</h2>\n", f);
	if (!r->nruns) {
		fputs("<p>No per-run stats: name files written with <code>stats = FILE.jsonl</code>.</p>\n", f);
	} else {
		chart(f, r);
		fputs("<table>\n<tr><th>run</th><th>function</th><th>calls</th><th>hits</th>"
		      "<th>hit ratio</th><th>time saved</th></tr>\n", f);
		for (int run = 0; run < r->nruns; run++)
			for (int i = 0; i < r->nnames; i++) {
				const struct cell *c = &r->cells[(size_t)run * MAXFN + i];

				if (!c->calls)
					continue;
				fprintf(f, "<tr><td>%d (", run + 1);
				html(f, r->source[run]);
				fputs(")</td><td class=\"name\">", f);
				html(f, r->names[i]);
				fputs("</td>", f);
				row_cells(f, c->calls, c->hits, c->saved);
				fputs("</tr>\n", f);
			}
		fputs("</table>\n", f);
	}
	fputs("</body>\n</html>\n", f);
}

static const struct cmd_option report_options[] = {
	{ "--output", 'o', "FILE", "the page to write (default memo-report.html)" },
	{ NULL, 0, NULL, NULL },
};

const struct cmd_spec cmd_report_spec = {
	"report", "[-c DIR] [STATS.jsonl...] [-o FILE]",
	"Write one self-contained HTML page (no script, nothing fetched) of what\n"
	"the cache did: per function, the calls, hit ratio and time saved over\n"
	"every run (as memo stats), and, from STATS.jsonl files (stats =\n"
	"FILE.jsonl; the config's own by default; up to 4), run after run, with\n"
	"a chart of the time saved.\n",
	.config = true, .max_pos = ARGS_MAX_POS, .options = report_options,
};

int cmd_report(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	struct records_tallies t = { 0 };
	struct report r = { 0 };
	const char *out = a->opt[0] ? a->opt[0] : "memo-report.html";
	char home[PATH_MAX], tmp[PATH_MAX];
	FILE *f = NULL;
	int rc = 1;

	log_init();
	r.names = calloc(MAXFN, sizeof *r.names);
	if (!r.names || config_load(a->dir, &cfg)) {
		fprintf(stderr, "memo: errors in '%s'\n", a->dir);
		goto done;
	}
	for (int i = 0; i < cfg.nfuncs; i++)
		name_index(&r, cfg.funcs[i].symbol);
	records_stats_home(&cfg.cache, home);
	if (records_stats_read(home, &t) < 0)
		fprintf(stderr, "memo: some stats in '%s/stats' could not be read\n", home);
	for (int i = 0; i < a->npos; i++)
		if (read_jsonl(&r, a->pos[i]) < 0)
			goto done;
	/* the config's own stats file, when it is one and none was named */
	if (!a->npos && strstr(cfg.cache.stats, ".jsonl") && !strstr(cfg.cache.stats, "%p") &&
	    access(cfg.cache.stats, R_OK) == 0 && read_jsonl(&r, cfg.cache.stats) < 0)
		goto done;
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%d", out, (int)getpid()) >= sizeof tmp ||
	    !(f = fopen(tmp, "wxe"))) {
		fprintf(stderr, "memo: cannot write '%s': %s\n", out, strerror(errno));
		goto done;
	}
	page(f, a->dir, &t, &r);
	if (fclose(f) != 0 || rename(tmp, out) < 0) {
		fprintf(stderr, "memo: cannot write '%s': %s\n", out, strerror(errno));
		unlink(tmp);
		goto done;
	}
	printf("wrote '%s': %d function%s, %d run%s\n", out, r.nnames, r.nnames == 1 ? "" : "s",
	       r.nruns, r.nruns == 1 ? "" : "s");
	rc = 0;
done:
	for (int i = 0; i < r.nnames; i++)
		free(r.names[i]);
	free(r.names);
	free(r.cells);
	free(r.source);
	records_tallies_free(&t);
	config_release(&cfg);
	return rc;
}
