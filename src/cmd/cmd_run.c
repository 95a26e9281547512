/*
 * cmd_run: `memo run -c DIR -- CMD...`: runs CMD with libmemo preloaded and
 * the config DIR, waits for it, and then says in one line per configured
 * function that no process of the run found, why, from what the processes
 * reported (find/run_report.h): a did-you-mean, the clones the compiler
 * kept, an inlined or a stripped function. Exits as CMD did.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config.h"
#include "find/run_report.h"
#include "cmd/memo.h"

/* libmemo.so: MEMO_LIBRARY, else beside this program (the build folder),
 * else in ../lib/libmemo (an installed tree: PREFIX/bin/memo). Where none
 * is, the places looked at are said, and how to point memo at it. */
static int find_library(char *out, size_t cap)
{
	static const char *const rel[] = { "libmemo.so", "../lib/libmemo/libmemo.so" };
	const char *env = getenv("MEMO_LIBRARY");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		if (access(env, R_OK) == 0 && (size_t)snprintf(out, cap, "%s", env) < cap)
			return 0;
		fprintf(stderr, "memo: MEMO_LIBRARY '%s': %s; set it to the path of libmemo.so\n",
			env, strerror(errno));
		return -1;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash) {
		*slash = '\0';
		for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
			if ((size_t)snprintf(out, cap, "%s/%s", exe, rel[i]) < cap &&
			    access(out, R_OK) == 0)
				return 0;
	}
	fprintf(stderr, "memo: cannot find libmemo.so (looked in '%s/' and '%s/../lib/libmemo/'); "
		"set MEMO_LIBRARY to its path, e.g. MEMO_LIBRARY=/usr/local/lib/libmemo/libmemo.so\n",
		exe, exe);
	return -1;
}

/* What the run's processes said of one function. */
struct seen {
	const char *symbol;
	bool found;
	char code[32];
	char why[1024];
};

struct run_summary {
	struct seen *fn;
	int n;
	char idle[512];		/* programs that could hold none of the functions */
};

/* How much a process's reason tells: a did-you-mean names the function the
 * user meant, so it says most; then a reason with a code of its own (a
 * clone); then "not found" with its hint (probably inlined); a stripped
 * object least, since a shell in front of the program is stripped too; then
 * a longer text. */
static int why_rank(const char *code, const char *why)
{
	return (strstr(why, "did you mean") ? 1 << 21 : 0) +
	       (!strcmp(code, "stripped") ? 0 : strcmp(code, "not-found") ? 1 << 20 : 1 << 19) +
	       (int)strlen(why);
}

static void summary_line(int n, char **f, void *arg)
{
	struct run_summary *s = arg;

	if (n == 2 && !strcmp(f[0], "idle")) {
		const char *base = strrchr(f[1], '/') ? strrchr(f[1], '/') + 1 : f[1];
		size_t used = strlen(s->idle);
		char quoted[300];

		snprintf(quoted, sizeof quoted, "'%s'", base);
		if (!strstr(s->idle, quoted) && used + strlen(quoted) + 3 < sizeof s->idle)
			snprintf(s->idle + used, sizeof s->idle - used, "%s%s", used ? ", " : "", quoted);
		return;
	}
	for (int i = 0; i < s->n && n >= 2; i++) {
		struct seen *e = &s->fn[i];

		if (strcmp(e->symbol, f[1]))
			continue;
		if (!strcmp(f[0], "found"))
			e->found = true;
		else if (n == 4 && !strcmp(f[0], "missing") &&
			 (!e->code[0] || why_rank(f[2], f[3]) > why_rank(e->code, e->why))) {
			snprintf(e->code, sizeof e->code, "%s", f[2]);
			snprintf(e->why, sizeof e->why, "%s", f[3]);
		}
	}
}

/* One line on stderr for each configured function no process found. */
static void summarize(const char *dir, const char *report)
{
	struct memo_config cfg = { 0 };
	struct run_summary s = { 0 };
	struct log_state quiet, was;
	int errors;

	/* the run's processes said the config's errors and warnings already */
	log_state_get(&was);
	quiet = was;
	quiet.threshold = LOG_ERROR - 1;
	log_state_set(&quiet);
	errors = config_load(dir, &cfg);
	log_state_set(&was);
	s.fn = calloc(cfg.nfuncs ? cfg.nfuncs : 1, sizeof *s.fn);
	if (errors || !s.fn) {
		free(s.fn);
		config_release(&cfg);
		return;
	}
	s.n = cfg.nfuncs;
	for (int i = 0; i < s.n; i++)
		s.fn[i].symbol = cfg.funcs[i].symbol;
	run_report_read(report, summary_line, &s);
	for (int i = 0; i < s.n; i++) {
		const struct seen *e = &s.fn[i];
		const struct function_config *fn = &cfg.funcs[i];

		if (e->found)
			continue;
		fprintf(stderr, "memo: '%s' (%s:%d) was found in no process of the run", e->symbol,
			fn->file, fn->line);
		if (e->code[0])
			fprintf(stderr, " [%s]: %s\n", e->code, e->why);
		else if (s.idle[0])
			fprintf(stderr, ": no process could hold it (%s: none exports it, none has a "
				"symbol table: stripped?); build without -s (or strip -g only), or "
				"memoize an exported function\n", s.idle);
		else
			fprintf(stderr, ": libmemo was loaded in no process (a static program? "
				"MEMO_DISABLE set?)\n");
	}
	free(s.fn);
	config_release(&cfg);
}

const struct cmd_spec cmd_run_spec = {
	"run", "[-c DIR] [--] CMD [ARG...]",
	"Run CMD with libmemo preloaded (LD_PRELOAD) and the config DIR\n"
	"(MEMO_CONFIG): its configured functions are memoized. When CMD has\n"
	"exited, a configured function that no process of the run found is\n"
	"named on stderr, with why. memo run exits as CMD did. libmemo.so is\n"
	"looked for in MEMO_LIBRARY, beside memo, then in ../lib/libmemo/.\n",
	.config = true, .command = true,
};

/* Exit as the command did: its status, or its signal raised again. */
static int exit_as(int status)
{
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int cmd_run(const struct cmd_args *a)
{
	char lib[PATH_MAX], cfg[PATH_MAX], report[PATH_MAX], *preload;
	const char *old, *tmp = getenv("TMPDIR");
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
	int fd, status;
	pid_t pid;

	if (find_library(lib, sizeof lib) < 0)
		return 2;
	if (!realpath(a->dir, cfg)) {
		fprintf(stderr, "memo: config '%s': %s\n", a->dir, strerror(errno));
		return 2;
	}
	old = getenv("LD_PRELOAD");
	if (asprintf(&preload, "%s%s%s", lib, old && *old ? " " : "", old ? old : "") < 0)
		return 2;
	setenv("LD_PRELOAD", preload, 1);
	setenv("MEMO_CONFIG", cfg, 1);
	/* the processes' reports; without one, the run goes on without a summary */
	snprintf(report, sizeof report, "%s/memo-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkostemp(report, O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		setenv(RUN_REPORT_ENV, report, 1);
	}
	/* as system(3): a ^C or ^\ is for the command, and memo waits for it;
	 * the command gets the dispositions memo was given */
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execvp(a->command[0], a->command);
		fprintf(stderr, "memo: cannot run '%s': %s\n", a->command[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "memo: cannot run '%s': %s\n", a->command[0], strerror(errno));
		if (fd >= 0)
			unlink(report);
		return 127;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = 1 << 8;
			break;
		}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (fd >= 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
			summarize(cfg, report);
		unlink(report);
	}
	return exit_as(status);
}
