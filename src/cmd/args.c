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
	for (const struct cmd_option *o = spec->options; o && o->name; o++) {
		char left[40];

		snprintf(left, sizeof left, "%c%c%c %s%s%s", o->letter ? '-' : ' ',
			 o->letter ? o->letter : ' ', o->letter ? ',' : ' ', o->name,
			 o->value ? " " : "", o->value ? o->value : "");
		if (strlen(left) > 18)	/* its help on a line of its own */
			fprintf(f, "  %s\n  %-18s %s\n", left, "", o->help);
		else
			fprintf(f, "  %-18s %s\n", left, o->help);
	}
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

/* The option of spec that s names ("--json", "-z"), or NULL. */
static int option_index(const struct cmd_spec *spec, const char *s)
{
	for (int i = 0; spec->options && spec->options[i].name; i++) {
		const struct cmd_option *o = &spec->options[i];

		if (!strcmp(s, o->name) || (o->letter && s[0] == '-' && s[1] == o->letter && !s[2]))
			return i;
	}
	return -1;
}

int args_parse(const struct cmd_spec *spec, int argc, char **argv, struct cmd_args *a)
{
	bool options = true;
	int i, o;

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
		} else if (options && (o = option_index(spec, s)) >= 0) {
			if (!spec->options[o].value) {
				a->opt[o] = "";
			} else if (i + 1 >= argc) {
				return refuse(spec, "%s: '%s' needs a value", s);
			} else {
				a->opt[o] = argv[++i];
			}
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
