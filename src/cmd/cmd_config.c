/*
 * memo config: every effective setting of a config and where it came from
 * (file:line, the environment, or the default), as `ccache -p` shows its
 * own. The settings come from config_load, their origins from its trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/types.h"
#include "base/log.h"
#include "cmd/memo.h"

struct origin {
	const char *function;	/* NULL: [cache] */
	char *version;		/* the function's @VERSION, or "" */
	const char *key;
	char *where;		/* "file:line" */
	char *text;		/* as written */
};

struct origins {
	struct origin *v;
	size_t n;
};

static void on_setting(void *ctx, const char *function, const char *version, const char *key,
		       const char *file, int line, const char *text)
{
	struct origins *o = ctx;
	struct origin *p = realloc(o->v, (o->n + 1) * sizeof *p);

	if (!p)
		return;
	o->v = p;
	p += o->n++;
	p->function = function ? strdup(function) : NULL;
	p->version = strdup(version);
	p->key = key;	/* one of config's key names: static */
	p->text = strdup(text);
	if (asprintf(&p->where, "%s:%d", file, line) < 0)
		p->where = NULL;
}

/* Where key was set in [cache] (function NULL) or in [function
 * FUNCTION@VERSION]; NULL: not set. */
static const struct origin *origin_of(const struct origins *o, const char *function,
				      const char *version, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].key, key) &&
		    (function ? o->v[i].function && !strcmp(o->v[i].function, function) &&
				o->v[i].version && !strcmp(o->v[i].version, version) :
				!o->v[i].function))
			return &o->v[i];
	return NULL;
}

/* One section's keys: where each was set, else the default. */
static void print_section(const struct origins *o, const char *function, const char *version,
			  const void *section)
{
	const char *key;
	char value[4096];

	for (int i = 0; (key = config_key_name(function != NULL, i)); i++) {
		const struct origin *at = origin_of(o, function, version, key);
		const char *env = NULL;

		config_format(function != NULL, i, section, value, sizeof value);
		if (!function && !strcmp(key, "stats") && (env = getenv("MEMO_STATS")) && *env)
			snprintf(value, sizeof value, "%s", env);
		else
			env = NULL;
		if (at && !*value)	/* kept as text only: prototype, ignore_args, return */
			snprintf(value, sizeof value, "%s", at->text);
		if (env)
			printf("(environment MEMO_STATS) %s = %s\n", key, value);
		else if (at)
			printf("(%s) %s = %s\n", at->where ? at->where : "?", key, value);
		else
			printf("(default) %s = %s\n", key, *value ? value : "(none)");
	}
}

/* [types]: each struct the config declares, and each a prototype names
 * that the debug info is left to define, in the order first named. */
static void print_types(const struct type_def *list)
{
	const struct type_def *d, *shown = NULL;

	if (!list)
		return;
	printf("\n[types]\n");
	/* the list is newest first: print from its end */
	while (shown != list) {
		for (d = list; d->next != shown; d = d->next)
			;
		shown = d;
		if (d->line > 0)
			printf("(%s:%d) %s%s = %s, %u bytes\n", d->file, d->line, d->bare ? "" : "struct ",
			       d->name, d->canon, d->size);
		else if (!d->bare)
			printf("(the debug info, at start) struct %s\n", d->name);
	}
}

const struct cmd_spec cmd_config_spec = {
	"config", "[-c DIR]",
	"Every setting of the config DIR in effect, and where it came from: a\n"
	"file and line, the environment, or the default.\n",
	.config = true,
};

int cmd_config(const struct cmd_args *a)
{
	static const char *const env[] = { "MEMO_CONFIG", "MEMO_LOG", "MEMO_STATS", "MEMO_STRICT",
					   "MEMO_DISABLE", "MEMO_EXPLAIN" };
	struct memo_config cfg = { 0 };
	struct origins o = { 0 };
	int errors;

	log_init();
	config_set_trace(on_setting, &o);
	errors = config_load(a->dir, &cfg);
	config_set_trace(NULL, NULL);
	if (errors) {
		fprintf(stderr, "memo: %d error%s in '%s'\n", errors, errors > 1 ? "s" : "", a->dir);
		config_release(&cfg);
		return 1;
	}
	if (cfg.cache.line)
		printf("[cache] (%s:%d)\n", cfg.cache.file, cfg.cache.line);
	else
		printf("[cache] (no section: every setting is its default)\n");
	print_section(&o, NULL, "", &cfg.cache);
	for (int i = 0; i < cfg.nfuncs; i++) {
		const struct function_config *f = &cfg.funcs[i];

		printf("\n[function %s%s%s] (%s:%d)\n", f->symbol, f->version[0] ? "@" : "",
		       f->version, f->file, f->line);
		print_section(&o, f->symbol, f->version, f);
	}
	print_types(cfg.types);
	printf("\nenvironment:");
	for (size_t i = 0; i < sizeof env / sizeof env[0]; i++) {
		const char *v = getenv(env[i]);

		if (v && *v)
			printf(" %s=%s", env[i], v);
	}
	printf("\n");
	config_release(&cfg);
	for (size_t i = 0; i < o.n; i++) {
		free((char *)o.v[i].function);
		free(o.v[i].version);
		free(o.v[i].where);
		free(o.v[i].text);
	}
	free(o.v);
	return 0;
}
