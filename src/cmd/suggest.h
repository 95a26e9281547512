/*
 * suggest: a [function] section for a config, from what the debug info says
 * a function takes and returns (find/dwarf.h): the prototype, the guesses a
 * person must confirm (array lengths, out or inout), and what keeps it
 * from being memoized as it is. `memo inspect` prints it, `memo init`
 * writes it as a config file. Calls signature (opaque arguments read
 * through); the memo command only.
 */
#ifndef MEMO_SUGGEST_H
#define MEMO_SUGGEST_H

#include <stdbool.h>

#include "find/dwarf.h"

struct suggestion {
	/* "double integrate(const double coef[n], size_t n, ...)": allocated,
	 * the name of any length (a C++ one) */
	char *prototype;
	char notes[1024];	/* what was guessed, to confirm: one per line ('\n' between) */
	char bad[512];		/* why it cannot be memoized as it is; "" when it can */
	bool returns_string;	/* a `char *`: the config needs `return =` */
};

/* Fill *s for `symbol` from d (whose unnamed arguments get names: arg1...).
 * suggest_release frees it. */
void suggest(struct dwarf_func *d, const char *symbol, struct suggestion *s);
void suggest_release(struct suggestion *s);

#endif
