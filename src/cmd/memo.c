/*
 * memo: the command-line face of libmemo (README.md "The `memo` command";
 * the cmd layer of ARCHITECTURE.md "Layers"). This file owns argument
 * dispatch and `memo run`; the other subcommands live in cmd_*.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "store/store.h"
#include "cmd/memo.h"


/* libmemo.so beside this program (the build folder), else in ../lib/libmemo
 * (an installed tree). */
static int find_library(char *out, size_t cap)
{
	static const char *const rel[] = { "libmemo.so", "../lib/libmemo/libmemo.so" };
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;
	size_t i;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		if ((size_t)snprintf(out, cap, "%s/%s", exe, rel[i]) >= cap)
			return -1;
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

static const struct cmd_spec cmd_run_spec = {
	"run", "[-c DIR] [--] CMD [ARG...]",
	"Run CMD with libmemo preloaded (LD_PRELOAD) and the config DIR\n"
	"(MEMO_CONFIG): its configured functions are memoized.\n",
	.config = true, .command = true,
};

static int cmd_run(const struct cmd_args *a)
{
	char lib[PATH_MAX], cfg[PATH_MAX], *preload;
	const char *old;

	if (find_library(lib, sizeof lib) < 0) {
		fprintf(stderr, "memo: cannot find libmemo.so beside this program\n");
		return 2;
	}
	if (!realpath(a->dir, cfg)) {
		fprintf(stderr, "memo: config '%s': %s\n", a->dir, strerror(errno));
		return 2;
	}
	old = getenv("LD_PRELOAD");
	if (asprintf(&preload, "%s%s%s", lib, old && *old ? " " : "", old ? old : "") < 0)
		return 2;
	setenv("LD_PRELOAD", preload, 1);
	setenv("MEMO_CONFIG", cfg, 1);
	execvp(a->command[0], a->command);
	fprintf(stderr, "memo: cannot run '%s': %s\n", a->command[0], strerror(errno));
	return 127;
}

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
	{ &cmd_inspect_spec, cmd_inspect, "identity, purity, patchability, prototype" },
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
