/*
 * The memo command's subcommands, one file each: memo.c (dispatch, run),
 * cmd_check.c (check), cmd_store.c (stats, flush), cmd_inspect.c (inspect);
 * args.c reads the options they share. Each returns the process exit status:
 * 0 ok, 1 a finding (errors, missing symbols), 2 usage.
 */
#ifndef MEMO_TOOL_H
#define MEMO_TOOL_H

int cmd_check(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_inspect(int argc, char **argv);

/* args.c: parse "-c DIR" (or --config DIR) at argv[*i]; advances *i.
 * Without it, MEMO_CONFIG, else "memo.d". */
int args_config(int argc, char **argv, int *i, const char **dir);

#endif
