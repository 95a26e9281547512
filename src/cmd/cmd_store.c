/*
 * memo flush / memo clear / memo evict: what a user does to a cache from
 * outside a program. flush bumps the flush generation record of a symbol
 * (or "*" for all) that libmemo folds into every key at a hook's first call
 * (call/prime.c), so old entries are never served again and age out by
 * themselves: no server-wide flush, no scan. clear frees the space too: in
 * the folder it deletes the entries (of one function: each entry's tag,
 * value.h), and in memcached, which memo cannot list, it bumps the
 * generation as flush does. evict removes the folder's least recently used
 * entries by age or down to a size, as max_size's eviction would.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#include "config/config.h"
#include "store/records.h"
#include "base/log.h"
#include "store/store.h"
#include "cmd/memo.h"

static struct store *open_from(const char *dir, struct memo_config *cfg)
{
	struct store *s;

	log_init();
	if (config_load(dir, cfg)) {
		fprintf(stderr, "memo: errors in '%s'\n", dir);
		return NULL;
	}
	s = store_open(&cfg->cache);
	if (!s)
		fprintf(stderr, "memo: no cache could be opened for '%s'\n", dir);
	return s;
}

static int bump(struct store *s, const char *ns, const char *name)
{
	struct memo_stats st = { 0 };
	uint64_t gen;

	if (records_generation_bump(s, ns, name, &gen, &st) < 0) {
		fprintf(stderr, "memo: could not record the flush of '%s'\n", name);
		return -1;
	}
	printf("flushed '%s' (new generation %016llx)\n", name, (unsigned long long)gen);
	return 0;
}

const struct cmd_spec cmd_flush_spec = {
	"flush", "[-c DIR] [SYMBOL]",
	"Invalidate the cached results of SYMBOL, a function the config names, or\n"
	"of every function: they are never served again, and age out.\n",
	.config = true, .max_pos = 1,
};

/* SYMBOL must be a function of the config: a misspelled one would flush
 * nothing and say it did (memo.h). */
int cmd_configured(const struct memo_config *cfg, const char *name)
{
	const char *hint = NULL;
	int best = 3;

	for (int i = 0; i < cfg->nfuncs; i++) {
		int d = config_edit_distance(name, cfg->funcs[i].symbol);

		if (!d && !strcmp(name, cfg->funcs[i].symbol))
			return 1;
		if (d < best)
			best = d, hint = cfg->funcs[i].symbol;
	}
	if (hint)
		fprintf(stderr, "memo: '%s' is not a function of the config (did you mean '%s'?)\n",
			name, hint);
	else
		fprintf(stderr, "memo: '%s' is not a function of the config\n", name);
	return 0;
}

int cmd_flush(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	const char *name = a->npos ? a->pos[0] : RECORDS_ALL_SYMBOLS;
	struct store *s;
	int rc = 1;

	s = open_from(a->dir, &cfg);
	if (s && (!a->npos || cmd_configured(&cfg, name)))
		rc = bump(s, cfg.cache.namespace_, name) < 0;
	store_free(s);
	config_release(&cfg);
	return rc;
}

static void say_freed(const char *what, uint64_t removed, uint64_t freed, const char *dir)
{
	char size[16];

	util_human_size(size, sizeof size, freed);
	printf("%s: %" PRIu64 " entries removed, %s freed in '%s'\n", what, removed, size, dir);
}

const struct cmd_spec cmd_clear_spec = {
	"clear", "[-c DIR] [SYMBOL]",
	"Free the space the cached results of SYMBOL, a function the config names,\n"
	"or of every function, take: the folder's entries are deleted; memcached's\n"
	"are invalidated as by memo flush (memcached frees their memory itself).\n",
	.config = true, .max_pos = 1,
};

int cmd_clear(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	const char *name = a->npos ? a->pos[0] : RECORDS_ALL_SYMBOLS;
	struct store *folder = NULL, *s = NULL;
	uint64_t removed, freed;
	int rc = 1;

	log_init();
	if (config_load(a->dir, &cfg)) {
		fprintf(stderr, "memo: errors in '%s'\n", a->dir);
		goto out;
	}
	if (a->npos && !cmd_configured(&cfg, name))
		goto out;
	if (cfg.cache.dir[0]) {
		uint64_t tag = a->npos ? records_function_tag(cfg.cache.namespace_, name) : 0;

		folder = store_folder_open(&cfg.cache);
		if (!folder || folder->ops->trim(folder, UINT64_MAX, UINT64_MAX, tag, &removed,
						 &freed) < 0) {
			fprintf(stderr, "memo: could not clear the folder '%s'%s\n", cfg.cache.dir,
				folder ? " (an eviction held it for a second)" : "");
			goto out;
		}
		say_freed(a->npos ? name : "every function", removed, freed, cfg.cache.dir);
	}
	if (cfg.cache.servers[0]) {
		s = store_open(&cfg.cache);
		if (!s || bump(s, cfg.cache.namespace_, name) < 0)
			goto out;
		printf("memcached cannot be listed: its entries of '%s' are invalidated, and "
		       "memcached frees their memory itself (LRU)\n", name);
	}
	rc = 0;
out:
	store_free(folder);
	store_free(s);
	config_release(&cfg);
	return rc;
}

/* "30d", "12h", "10m", "45s", "90" (seconds), "1w" -> seconds; -1 if not one. */
static int64_t parse_age(const char *text)
{
	static const struct { char unit; int64_t seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
	};
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || v < 0 || text[0] == '-' || text[0] == '+')
		return -1;
	if (!*end)
		return v;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (end[0] == units[i].unit && !end[1])
			return v > INT64_MAX / units[i].seconds ? -1 : v * units[i].seconds;
	return -1;
}

static const struct cmd_option evict_options[] = {
	{ "--older-than", 0, "AGE", "entries last used longer ago than AGE (30d, 12h, 10m, 45s)" },
	{ "--to", 0, "SIZE", "then the least recently used until the rest take SIZE (1.5G)" },
	{ NULL },
};

const struct cmd_spec cmd_evict_spec = {
	"evict", "[-c DIR] [--older-than AGE] [--to SIZE]",
	"Remove the least recently used entries of the folder store: those not\n"
	"used for AGE, then more until the folder takes at most SIZE on disk.\n"
	"memcached evicts by itself.\n",
	.config = true, .options = evict_options,
};

int cmd_evict(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	struct store *folder = NULL;
	int64_t age = 0, to = -1;
	uint64_t removed, freed, before = 0;
	char home[PATH_MAX];
	int rc = 1;

	if (!a->opt[0] && !a->opt[1]) {
		fprintf(stderr, "memo: evict: say what to evict: --older-than AGE, --to SIZE\n");
		args_usage(&cmd_evict_spec, stderr);
		return 2;
	}
	if (a->opt[0] && (age = parse_age(a->opt[0])) < 0) {
		fprintf(stderr, "memo: evict: '%s' is not an age (30d, 12h, 10m, 45s)\n", a->opt[0]);
		return 2;
	}
	if (a->opt[1] && (to = config_parse_size(a->opt[1])) < 0) {
		fprintf(stderr, "memo: evict: '%s' is not a size (1.5G, 512M, 100k)\n", a->opt[1]);
		return 2;
	}
	log_init();
	if (config_load(a->dir, &cfg)) {
		fprintf(stderr, "memo: errors in '%s'\n", a->dir);
		goto out;
	}
	if (!cfg.cache.dir[0]) {
		fprintf(stderr, "memo: evict: the config names no folder store (dir); memcached "
			"evicts by itself\n");
		goto out;
	}
	if (a->opt[0]) {
		uint64_t now = util_wall_ns(), ns = (uint64_t)age * 1000000000ULL;

		before = ns < now ? now - ns : 1;
	}
	folder = store_folder_open(&cfg.cache);
	if (!folder || folder->ops->trim(folder, before, to < 0 ? UINT64_MAX : (uint64_t)to, 0,
					 &removed, &freed) < 0) {
		fprintf(stderr, "memo: could not evict from the folder '%s'%s\n", cfg.cache.dir,
			folder ? " (an eviction held it for a second)" : "");
		goto out;
	}
	say_freed("evicted", removed, freed, cfg.cache.dir);
	records_stats_home(&cfg.cache, home);
	if (removed)	/* counted as max_size's evictions are (records.h) */
		records_stats_add(home, &(struct records_tallies){ .evicted = removed,
								   .evicted_bytes = freed });
	rc = 0;
out:
	store_free(folder);
	config_release(&cfg);
	return rc;
}
