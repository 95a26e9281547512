/*
 * memo stats / memo flush: the cache seen from outside a program.
 * stats asks each store to report itself; flush bumps the flush generation
 * record of a symbol (or "*" for all) that libmemo folds into every key at
 * a hook's first call (call/prime.c), so old entries are never served again and age out by themselves —
 * no server-wide flush, no scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

const struct cmd_spec cmd_stats_spec = {
	"stats", "[-c DIR]",
	"What the cache DIR's config names holds: the folder's entries and size,\n"
	"each memcached server's status.\n",
	.config = true,
};

int cmd_stats(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	struct store *s;

	s = open_from(a->dir, &cfg);
	if (!s) {
		config_release(&cfg);
		return 1;
	}
	s->ops->report(s, stdout);
	store_free(s);
	config_release(&cfg);
	return 0;
}

static int bump(struct store *s, const char *ns, const char *name)
{
	struct memo_stats st = { 0 };
	uint64_t gen;

	if (records_generation_bump(s, ns, name, &gen, &st) < 0) {
		fprintf(stderr, "memo: could not record the flush of '%s'\n", name);
		return -1;
	}
	printf("flushed '%s' (generation %llu)\n", name, (unsigned long long)gen);
	return 0;
}

const struct cmd_spec cmd_flush_spec = {
	"flush", "[-c DIR] [SYMBOL]",
	"Invalidate the cached results of SYMBOL, a function the config names, or\n"
	"of every function: they are never served again, and age out.\n",
	.config = true, .max_pos = 1,
};

/* SYMBOL must be a function of the config: a misspelled one would flush
 * nothing and say it did. */
static int configured(const struct memo_config *cfg, const char *name)
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
	if (s && (!a->npos || configured(&cfg, name)))
		rc = bump(s, cfg.cache.namespace_, name) < 0;
	store_free(s);
	config_release(&cfg);
	return rc;
}
