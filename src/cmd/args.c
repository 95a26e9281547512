/*
 * args: the options every subcommand of the memo command reads the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/memo.h"

int args_config(int argc, char **argv, int *i, const char **dir)
{
	if (*i < argc && (!strcmp(argv[*i], "-c") || !strcmp(argv[*i], "--config"))) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "memo: '%s' needs a config file or folder\n", argv[*i]);
			return -1;
		}
		*dir = argv[*i + 1];
		*i += 2;
		return 0;
	}
	*dir = getenv("MEMO_CONFIG");
	if (!*dir || !**dir)
		*dir = "memo.d";
	return 0;
}
