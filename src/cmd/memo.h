/*
 * The memo command's subcommands, one file each: memo.c (dispatch, help),
 * cmd_run.c (run), cmd_check.c (check), cmd_config.c (config), cmd_stats.c
 * (stats), cmd_store.c (flush, clear, evict), cmd_inspect.c (inspect),
 * cmd_init.c (init; both with suggest.c), cmd_share.c (export, import),
 * cmd_report.c (report); args.c reads their arguments from the spec each
 * declares. Each returns the process exit status: 0 ok, 1 a finding
 * (errors, missing symbols), 2 usage.
 */
#ifndef MEMO_TOOL_H
#define MEMO_TOOL_H

#include <stdbool.h>
#include <stdio.h>

/* An option of a subcommand beyond -c and --help. */
struct cmd_option {
	const char *name;	/* "--json" */
	char letter;		/* 'z' for -z, or 0 */
	const char *value;	/* what it takes, as --help names it ("AGE"); NULL: a flag */
	const char *help;	/* one line */
};

#define ARGS_MAX_OPTS 4

/* What a subcommand takes, for args_parse and its --help. */
struct cmd_spec {
	const char *name;	/* "stats" */
	const char *synopsis;	/* after "memo NAME ": "[-c DIR] [SYMBOL]" */
	const char *help;	/* what it does, then its arguments, one per line */
	bool config;		/* takes -c DIR */
	bool command;		/* memo run: the arguments end at a command to run */
	int min_pos, max_pos;	/* positional arguments */
	const struct cmd_option *options;	/* ends at a NULL name; at most ARGS_MAX_OPTS */
};

#define ARGS_MAX_POS 4
struct cmd_args {
	const char *dir;	/* -c DIR, else $MEMO_CONFIG, else "memo.d" */
	const char *pos[ARGS_MAX_POS];
	int npos;
	char **command;		/* memo run: the command and its arguments */
	/* The spec's options, in its order: the value given, "" for a flag
	 * given, NULL when absent. */
	const char *opt[ARGS_MAX_OPTS];
};

enum { ARGS_OK = 0, ARGS_HELP = 1, ARGS_BAD = -1 };

/* Read argv (the arguments after the subcommand's name) as spec says.
 * ARGS_HELP: --help was asked, its usage printed on stdout (exit 0);
 * ARGS_BAD: refused, said on stderr with the usage (exit 2). */
int args_parse(const struct cmd_spec *spec, int argc, char **argv, struct cmd_args *a);
void args_usage(const struct cmd_spec *spec, FILE *f);

extern const struct cmd_spec cmd_run_spec, cmd_check_spec, cmd_config_spec, cmd_stats_spec,
	cmd_flush_spec, cmd_clear_spec, cmd_evict_spec, cmd_export_spec, cmd_import_spec,
	cmd_report_spec, cmd_inspect_spec, cmd_init_spec;
int cmd_run(const struct cmd_args *a);
int cmd_check(const struct cmd_args *a);
int cmd_config(const struct cmd_args *a);
int cmd_init(const struct cmd_args *a);
int cmd_export(const struct cmd_args *a);
int cmd_import(const struct cmd_args *a);
int cmd_report(const struct cmd_args *a);
int cmd_stats(const struct cmd_args *a);
int cmd_flush(const struct cmd_args *a);
int cmd_clear(const struct cmd_args *a);
int cmd_evict(const struct cmd_args *a);
int cmd_inspect(const struct cmd_args *a);

struct memo_config;
/* Whether `name` is a function of cfg; if not, said on stderr with the
 * closest name (cmd_store.c). */
int cmd_configured(const struct memo_config *cfg, const char *name);

#endif
