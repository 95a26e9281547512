/*
 * For t0505: a body that calls bt_check(NAME) prints, once per process and
 * only when $MEMO_TEST_BT is set, the libunwind backtrace from where it stands
 * (inside the original, called by libmemo's handler through the closure and
 * the shared entry) and whether it reaches main:
 *   bt: 'NAME' reaches main: < f < ... < memo_inline_entry < main < ...
 */
#ifndef MEMO_TEST_BT_H
#define MEMO_TEST_BT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

static inline void bt_check(const char *name)
{
	unw_context_t ctx;
	unw_cursor_t cur;
	unw_word_t off;
	char fn[128], path[2048] = "";
	int depth = 0, found = 0;

	if (!getenv("MEMO_TEST_BT") || !strstr(getenv("MEMO_TEST_BT"), name))
		return;
	unw_getcontext(&ctx);
	unw_init_local(&cur, &ctx);
	do {
		if (unw_get_proc_name(&cur, fn, sizeof fn, &off) != 0)
			strcpy(fn, "?");
		if (strlen(path) + strlen(fn) + 4 < sizeof path) {
			strcat(path, " < ");
			strcat(path, fn);
		}
		found |= !strcmp(fn, "main");
	} while (!found && unw_step(&cur) > 0 && ++depth < 64);
	fprintf(stderr, "bt: '%s' %s main:%s\n", name, found ? "reaches" : "does not reach", path);
}

#endif
