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

int cmd_stats(int argc, char **argv)
{
	struct memo_config cfg = { 0 };
	struct store *s;
	const char *dir;
	int i = 0;

	if (args_config(argc, argv, &i, &dir) < 0)
		return 2;
	s = open_from(dir, &cfg);
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

int cmd_flush(int argc, char **argv)
{
	struct memo_config cfg = { 0 };
	struct store *s;
	const char *dir;
	int i = 0, rc;

	if (args_config(argc, argv, &i, &dir) < 0)
		return 2;
	s = open_from(dir, &cfg);
	if (!s) {
		config_release(&cfg);
		return 1;
	}
	rc = bump(s, cfg.cache.namespace_, i < argc ? argv[i] : RECORDS_ALL_SYMBOLS) < 0;
	store_free(s);
	config_release(&cfg);
	return rc;
}
