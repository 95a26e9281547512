/*
 * memo check -c DIR [ELF]: parse a config exactly as libmemo would (same
 * errors, same file:line), then say for each function where its symbol is:
 * in ELF when one is given, else among the objects this process can load.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "../shim/config.h"
#include "../shim/log.h"
#include "memo.h"

/* Look the symbol up where a preloaded libmemo would: the global scope, or
 * the object the function's `object =` names. */
static void *find_symbol(const struct function_config *f)
{
	void *handle = RTLD_DEFAULT, *sym;

	if (f->object[0]) {
		handle = dlopen(f->object, RTLD_LAZY | RTLD_LOCAL);
		if (!handle)
			return NULL;
	}
	sym = f->version[0] ? dlvsym(handle, f->symbol, f->version) : dlsym(handle, f->symbol);
	return sym;
}

int cmd_check(int argc, char **argv)
{
	struct memo_config cfg = { 0 };
	const char *dir, *elf = NULL;
	int i = 0, errors, missing = 0;
	char canon[4096];

	if (tool_config_arg(argc, argv, &i, &dir) < 0)
		return 2;
	if (i < argc)
		elf = argv[i++];
	log_init();
	errors = config_load(dir, &cfg);
	if (errors) {
		fprintf(stderr, "memo: %d error%s in '%s'\n", errors, errors > 1 ? "s" : "", dir);
		config_release(&cfg);
		return 1;
	}
	if (elf && !dlopen(elf, RTLD_LAZY | RTLD_GLOBAL))
		fprintf(stderr, "memo: cannot load '%s' to look symbols up: %s\n", elf, dlerror());
	for (i = 0; i < cfg.nfuncs; i++) {
		const struct function_config *f = &cfg.funcs[i];
		void *sym = find_symbol(f);
		Dl_info info;

		proto_canonical(&f->proto, canon, sizeof canon);
		if (sym && dladdr(sym, &info))
			printf("%s: found in %s\n", f->symbol, info.dli_fname);
		else {
			printf("%s: not found among the objects this command can load%s\n", f->symbol,
			       elf ? "" : " (name the program or library: memo check -c DIR ELF)");
			missing++;
		}
		printf("  %s:%d: %s\n", f->file, f->line, canon);
	}
	printf("%s: %d function%s, %d not found\n", dir, cfg.nfuncs, cfg.nfuncs == 1 ? "" : "s",
	       missing);
	config_release(&cfg);
	return missing ? 1 : 0;
}
