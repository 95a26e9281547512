/*
 * run_report: what each process of a `memo run` tells the command about the
 * configured functions, so that the command can say, once the run is over,
 * which function no process found and why (README "memo run"). memo run
 * names a file in MEMO_RUN_REPORT; every process appends one line per
 * function (its own, O_APPEND, one write each) and the command reads them
 * all after the last process exits. Without MEMO_RUN_REPORT nothing is
 * written. The format is this file's alone:
 *
 *     found SYMBOL
 *     missing SYMBOL CODE WHY...      (CODE: hook_refusal_name's)
 *     idle PROGRAM                    (the preload left the engine unloaded)
 *
 * fields separated by one tab, a line ending at '\n' (tabs and newlines in a
 * field become spaces). Calls open/write/close only; start-up and dlopen
 * passes, never the hot path; keeps errno.
 */
#ifndef MEMO_RUN_REPORT_H
#define MEMO_RUN_REPORT_H

#define RUN_REPORT_ENV "MEMO_RUN_REPORT"

/* Append one line of `n` fields (at most 4) to MEMO_RUN_REPORT's file. */
void run_report_line(int n, const char *const *fields);

/* The lines of the file at `path`, each handed to `cb` split in its
 * fields (at most 4; the last holds the rest). 0, or -1 if unreadable. */
int run_report_read(const char *path, void (*cb)(int n, char **fields, void *arg), void *arg);

#endif
