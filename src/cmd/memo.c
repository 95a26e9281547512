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

#include "store/store.h"
#include "cmd/memo.h"

extern struct store *memo_store_memcached_open(const struct cache_config *c);

static void usage(FILE *f)
{
	fputs("usage: memo run -c DIR -- CMD [ARG...]   run CMD with libmemo preloaded\n"
	      "       memo check -c DIR [ELF]          validate a config (against ELF)\n"
	      "       memo stats -c DIR                what the cache holds; server status\n"
	      "       memo flush -c DIR [SYMBOL]       invalidate SYMBOL's entries, or all\n"
	      "       memo inspect ELF [SYMBOL]        identity, purity, patchability, prototype\n", f);
}

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

static int cmd_run(int argc, char **argv)
{
	char lib[PATH_MAX], cfg[PATH_MAX], *preload;
	const char *dir, *old;
	int i = 0;

	if (args_config(argc, argv, &i, &dir) < 0)
		return 2;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (find_library(lib, sizeof lib) < 0) {
		fprintf(stderr, "memo: cannot find libmemo.so beside this program\n");
		return 2;
	}
	if (!realpath(dir, cfg)) {
		fprintf(stderr, "memo: config '%s': %s\n", dir, strerror(errno));
		return 2;
	}
	old = getenv("LD_PRELOAD");
	if (asprintf(&preload, "%s%s%s", lib, old && *old ? " " : "", old ? old : "") < 0)
		return 2;
	setenv("LD_PRELOAD", preload, 1);
	setenv("MEMO_CONFIG", cfg, 1);
	execvp(argv[i], argv + i);
	fprintf(stderr, "memo: cannot run '%s': %s\n", argv[i], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	store_memcached_opener = memo_store_memcached_open;
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 2, argv + 2);
	if (!strcmp(argv[1], "flush"))
		return cmd_flush(argc - 2, argv + 2);
	if (!strcmp(argv[1], "inspect"))
		return cmd_inspect(argc - 2, argv + 2);
	fprintf(stderr, "memo: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
