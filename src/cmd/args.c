/*
 * args: how every subcommand of the memo command reads its arguments, from
 * the spec its file declares: --help (its usage on stdout, exit 0, nothing
 * done), -c DIR where it takes a config, its positional arguments counted,
 * and anything else refused with the usage (exit 2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/memo.h"

void args_usage(const struct cmd_spec *spec, FILE *f)
{
	fprintf(f, "usage: memo %s %s\n\n%s\n", spec->name, spec->synopsis, spec->help);
	if (spec->config)
		fputs("  -c, --config DIR   the config file or folder (default: $MEMO_CONFIG, "
		      "else ./memo.d)\n", f);
	fputs("  -h, --help         this text\n", f);
}

static int refuse(const struct cmd_spec *spec, const char *fmt, const char *arg)
{
	fputs("memo: ", stderr);
	fprintf(stderr, fmt, spec->name, arg);
	fputs("\n", stderr);
	args_usage(spec, stderr);
	return ARGS_BAD;
}

int args_parse(const struct cmd_spec *spec, int argc, char **argv, struct cmd_args *a)
{
	bool options = true;
	int i;

	memset(a, 0, sizeof *a);
	a->dir = getenv("MEMO_CONFIG");
	if (!a->dir || !*a->dir)
		a->dir = "memo.d";
	for (i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (options && !strcmp(s, "--")) {
			options = false;
			if (spec->command) {	/* memo run: the rest is the command */
				i++;
				break;
			}
		} else if (options && (!strcmp(s, "-h") || !strcmp(s, "--help"))) {
			args_usage(spec, stdout);
			return ARGS_HELP;
		} else if (options && spec->config && (!strcmp(s, "-c") || !strcmp(s, "--config"))) {
			if (i + 1 >= argc)
				return refuse(spec, "%s: '%s' needs a config file or folder", s);
			a->dir = argv[++i];
		} else if (options && s[0] == '-' && s[1]) {
			return refuse(spec, "%s: unknown option '%s'", s);
		} else if (spec->command) {	/* the command starts at its name */
			break;
		} else if (a->npos == ARGS_MAX_POS || a->npos == spec->max_pos) {
			return refuse(spec, "%s: unexpected argument '%s'", s);
		} else {
			a->pos[a->npos++] = argv[i];
		}
	}
	if (spec->command) {
		if (i >= argc)
			return refuse(spec, "%s: no command to run%s", "");
		a->command = argv + i;
	} else if (a->npos < spec->min_pos) {
		return refuse(spec, "%s: missing argument%s", "");
	}
	return ARGS_OK;
}
