/*
 * memo: the command-line face of libmemo (README.md "The `memo` command";
 * the cmd layer of ARCHITECTURE.md "Layers"). This file owns argument
 * dispatch and `memo help`; the subcommands live in cmd_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "store/store.h"
#include "cmd/memo.h"


static const struct command {
	const struct cmd_spec *spec;
	int (*run)(const struct cmd_args *a);
	const char *summary;
} commands[] = {
	{ &cmd_run_spec, cmd_run, "run a program with libmemo preloaded" },
	{ &cmd_check_spec, cmd_check, "validate a config, and find its functions" },
	{ &cmd_config_spec, cmd_config, "every setting in effect, and where it came from" },
	{ &cmd_stats_spec, cmd_stats, "what the cache holds and did, per function" },
	{ &cmd_flush_spec, cmd_flush, "invalidate a function's entries, or all" },
	{ &cmd_clear_spec, cmd_clear, "free the space of a function's entries, or all" },
	{ &cmd_evict_spec, cmd_evict, "remove the least recently used entries" },
	{ &cmd_export_spec, cmd_export, "write entries into an archive, to share" },
	{ &cmd_import_spec, cmd_import, "add an archive's entries, each verified" },
	{ &cmd_report_spec, cmd_report, "one HTML page of the stats, with a chart" },
	{ &cmd_inspect_spec, cmd_inspect, "identity, purity, patchability, prototype" },
	{ &cmd_init_spec, cmd_init, "write a function's config from its debug info" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fputs("usage: memo COMMAND [ARG...]\n\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct cmd_spec *c = commands[i].spec;

		if (strlen(c->synopsis) > 28)	/* its summary on a line of its own */
			fprintf(f, "  memo %-7s %s\n  %-41s %s\n", c->name, c->synopsis, "",
				commands[i].summary);
		else
			fprintf(f, "  memo %-7s %-28s %s\n", c->name, c->synopsis, commands[i].summary);
	}
	fprintf(f, "  memo %-36s %s\n", "help [COMMAND]", "this text, or COMMAND's");
	fprintf(f, "  memo %-36s %s\n", "--version", "libmemo's version");
}

static const struct command *command_named(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].spec->name, name))
			return &commands[i];
	return NULL;
}

static int unknown(const char *name)
{
	const char *hint = NULL;
	int best = 3;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		int d = config_edit_distance(name, commands[i].spec->name);
		if (d < best)
			best = d, hint = commands[i].spec->name;
	}
	if (hint)
		fprintf(stderr, "memo: unknown command '%s' (did you mean '%s'?)\n", name, hint);
	else
		fprintf(stderr, "memo: unknown command '%s'\n", name);
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const struct command *c;
	struct cmd_args a;
	int r;

	store_memcached_opener = memo_store_memcached_open;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("memo (libmemo) %s\n", MEMO_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc == 2) {
			usage(stdout);
			return 0;
		}
		if (argc > 3 || !(c = command_named(argv[2])))
			return argc > 3 ? (usage(stderr), 2) : unknown(argv[2]);
		args_usage(c->spec, stdout);
		return 0;
	}
	c = command_named(argv[1]);
	if (!c)
		return unknown(argv[1]);
	r = args_parse(c->spec, argc - 2, argv + 2, &a);
	if (r != ARGS_OK)
		return r == ARGS_HELP ? 0 : 2;
	return c->run(&a);
}
