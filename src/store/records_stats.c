/*
 * records_stats: the stats kept across runs (records.h "stats across
 * runs"): RECORDS_STATS_FILES files under <cache>/stats/, each a sum that
 * the processes whose pid falls on it add to at exit, under a flock of that
 * file alone, waited for at most RECORDS_STATS_WAIT_MS. Like ccache's
 * stats files: no global lock, and `memo stats` adds the files up.
 * Calls log, util and libc. Not on the hot path: the engine's exit and the
 * memo command.
 */
#include "store/records.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#define STATS_FOLDER "stats"
#define STATS_HEADER "memo-stats 1\n"
#define STATS_FILE_MAX (1u << 20)

/* The stats folder in the cache folder, both following the folder rules
 * (store_folder_root: made if missing, refused unless ours and not writable
 * by group or others, as prime.c's identity folder), or -1: a folder the
 * store refuses gets nothing written and is not read. The store said why. */
static int stats_folder(const char *cache)
{
	char path[PATH_MAX + 8];
	struct stat sb;
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/" STATS_FOLDER, cache) >= sizeof path)
		return errno = ENAMETOOLONG, -1;
	if ((fd = store_folder_root(cache, &sb, false)) < 0)
		return -1;
	close(fd);
	return store_folder_root(path, &sb, false);
}

void records_stats_home(const struct cache_config *c, char out[PATH_MAX])
{
	if (!c->dir[0])	/* memcached alone: beside the identities (prime.c) */
		config_default_dir(out);
	else
		snprintf(out, PATH_MAX, "%s", c->dir);
}

/* Find or add the row of `symbol` (NULL: none; the store's line) in t. */
static struct records_tally *row_of(struct records_tallies *t, const char *symbol)
{
	struct records_tally *p;

	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].symbol, symbol))
			return &t->rows[i];
	p = realloc(t->rows, (size_t)(t->n + 1) * sizeof *p);
	if (!p)
		return NULL;
	t->rows = p;
	p += t->n;
	memset(p, 0, sizeof *p);
	p->symbol = strdup(symbol);
	if (!p->symbol)
		return NULL;
	t->n++;
	return p;
}

/* Add the text of one file to t. Lines that are not ours (a file torn by a
 * writer killed mid-write) are skipped: their counts are lost, no more. */
static void parse(struct records_tallies *t, char *text)
{
	char *save = NULL;

	if (strncmp(text, STATS_HEADER, strlen(STATS_HEADER)))
		return;
	for (char *l = strtok_r(text + strlen(STATS_HEADER), "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		struct records_tally r, *p;
		uint64_t e, b;
		int at = 0;

		if (sscanf(l, "evicted %" SCNu64 " %" SCNu64 "%n", &e, &b, &at) == 2 && !l[at]) {
			t->evicted += e;
			t->evicted_bytes += b;
		} else if (sscanf(l, "fn %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
				  " %" SCNu64 " %n", &r.calls, &r.hits, &r.misses, &r.sets,
				  &r.ns_saved, &r.ns_in_function, &at) == 6 && at && l[at] &&
			   (p = row_of(t, l + at))) {
			p->calls += r.calls;
			p->hits += r.hits;
			p->misses += r.misses;
			p->sets += r.sets;
			p->ns_saved += r.ns_saved;
			p->ns_in_function += r.ns_in_function;
		}
	}
}

/* Read all of fd into a fresh NUL-terminated buffer (NULL: none). */
static char *slurp(int fd)
{
	struct stat sb;
	char *buf;
	ssize_t r;

	if (fstat(fd, &sb) < 0 || sb.st_size > STATS_FILE_MAX)
		return NULL;
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf)
		return NULL;
	r = pread(fd, buf, (size_t)sb.st_size, 0);
	buf[r > 0 ? r : 0] = '\0';
	return buf;
}

/* t as the text of a file, in a fresh buffer (NULL: out of memory). */
static char *format(const struct records_tallies *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fputs(STATS_HEADER, f);
	if (t->evicted)
		fprintf(f, "evicted %" PRIu64 " %" PRIu64 "\n", t->evicted, t->evicted_bytes);
	for (int i = 0; i < t->n; i++) {
		const struct records_tally *r = &t->rows[i];

		fprintf(f, "fn %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" %s\n", r->calls, r->hits, r->misses, r->sets, r->ns_saved,
			r->ns_in_function, r->symbol);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

void records_tallies_free(struct records_tallies *t)
{
	for (int i = 0; i < t->n; i++)
		free((char *)t->rows[i].symbol);
	free(t->rows);
	memset(t, 0, sizeof *t);
}

int records_stats_add(const char *cache, const struct records_tallies *add)
{
	struct records_tallies sum = { 0 };
	char name[16], *text;
	size_t len;
	int dfd, fd, r = -1;

	if (!cache[0])
		return -1;
	dfd = stats_folder(cache);
	if (dfd < 0) {
		log_debug("'%s': stats not kept across runs: %s", cache, strerror(errno));
		return -1;
	}
	snprintf(name, sizeof name, "%d", (int)(getpid() % RECORDS_STATS_FILES));
	fd = util_open_regular(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, NULL);
	close(dfd);
	if (fd < 0) {
		log_debug("'%s/" STATS_FOLDER "/%s': stats not kept across runs: %s", cache, name,
			  fd == UTIL_NOT_REGULAR ? "not a regular file" : strerror(errno));
		return -1;
	}
	/* Never hang an exit: a holder that stopped costs this process its
	 * counts, not its exit. */
	if (util_flock_bounded(fd, RECORDS_STATS_WAIT_MS) < 0) {
		log_debug("'%s/" STATS_FOLDER "/%s': busy; this process's stats are not kept", cache,
			  name);
		close(fd);
		return -1;
	}
	text = slurp(fd);
	if (text) {
		parse(&sum, text);
		free(text);
	}
	sum.evicted += add->evicted;
	sum.evicted_bytes += add->evicted_bytes;
	for (int i = 0; i < add->n; i++) {
		const struct records_tally *a = &add->rows[i];
		struct records_tally *p = row_of(&sum, a->symbol);

		if (!p)
			goto out;
		p->calls += a->calls;
		p->hits += a->hits;
		p->misses += a->misses;
		p->sets += a->sets;
		p->ns_saved += a->ns_saved;
		p->ns_in_function += a->ns_in_function;
	}
	/* The text only grows (counts and symbols are only added), so a
	 * rewrite in place covers the old text; ftruncate is for -z's. */
	text = format(&sum, &len);
	if (text && pwrite(fd, text, len, 0) == (ssize_t)len && ftruncate(fd, (off_t)len) == 0)
		r = 0;
	else
		log_debug("'%s/" STATS_FOLDER "/%s': cannot write: %s", cache, name, strerror(errno));
	free(text);
out:
	records_tallies_free(&sum);
	close(fd);	/* releases the lock */
	return r;
}

/* Each stats file in turn, locked: read into t, and emptied when zero. */
static int each_file(const char *cache, struct records_tallies *t, bool zero)
{
	int dfd = stats_folder(cache), r = 0;

	if (dfd < 0)
		return -1;
	for (int i = 0; i < RECORDS_STATS_FILES; i++) {
		char name[16], *text;
		int fd;

		snprintf(name, sizeof name, "%d", i);
		fd = util_open_regular(dfd, name, zero ? O_RDWR | O_NOFOLLOW : O_RDONLY | O_NOFOLLOW,
				       0, NULL);
		if (fd < 0) {
			if (fd == UTIL_NOT_REGULAR || errno != ENOENT)
				r = -1;
			continue;
		}
		/* The command may wait longer than an exit: a second */
		if (util_flock_bounded(fd, 1000) < 0) {
			r = -1;
		} else if (zero) {
			if (ftruncate(fd, 0) < 0)
				r = -1;
		} else if ((text = slurp(fd))) {
			parse(t, text);
			free(text);
		}
		close(fd);
	}
	close(dfd);
	return r;
}

int records_stats_read(const char *cache, struct records_tallies *t)
{
	memset(t, 0, sizeof *t);
	return each_file(cache, t, false);
}

int records_stats_zero(const char *cache)
{
	return each_file(cache, NULL, true);
}
