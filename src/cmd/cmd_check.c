/*
 * memo check -c DIR [ELF]: parse a config exactly as libmemo would (same
 * errors, same file:line), then say for each function where its symbol is:
 * in ELF when one is given (its .symtab, else .dynsym), else among the
 * objects this process can load.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "find/elf.h"
#include "base/log.h"
#include "cmd/memo.h"

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

const struct cmd_spec cmd_check_spec = {
	"check", "[-c DIR] [ELF]",
	"Read the config DIR exactly as libmemo would (the same errors, with\n"
	"file:line:col), then say where each function is: in ELF, a program or\n"
	"library, when given; else among the objects this command can load.\n",
	.config = true, .max_pos = 1,
};

int cmd_check(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	const char *dir = a->dir, *elf = a->npos ? a->pos[0] : NULL;
	struct elf_image *img = NULL;
	int i, errors, missing = 0;
	char canon[4096], why[256];

	log_init();
	errors = config_load(dir, &cfg);
	if (errors) {
		fprintf(stderr, "memo: %d error%s in '%s'\n", errors, errors > 1 ? "s" : "", dir);
		config_release(&cfg);
		return 1;
	}
	if (elf && !(img = elf_image_open(elf, why, sizeof why))) {
		fprintf(stderr, "memo: cannot read '%s': %s\n", elf, why);
		config_release(&cfg);
		return 1;
	}
	for (i = 0; i < cfg.nfuncs; i++) {
		const struct function_config *f = &cfg.funcs[i];
		struct elf_sym sym;
		Dl_info info;
		void *addr;

		proto_canonical(&f->proto, canon, sizeof canon);
		if (img && elf_image_symbol(img, f->symbol, f->version, &sym) == 0) {
			printf("%s: found in %s (%s, %llu bytes)\n", f->symbol, elf,
			       sym.dynamic ? ".dynsym" : ".symtab", (unsigned long long)sym.size);
		} else if (img) {
			printf("%s: not found in %s%s\n", f->symbol, elf,
			       elf_image_has_symtab(img) ? "" : " (it is stripped: only exported symbols are listed)");
			missing++;
		} else if ((addr = find_symbol(f)) && dladdr(addr, &info)) {
			printf("%s: found in %s\n", f->symbol, info.dli_fname);
		} else {
			printf("%s: not found among the objects this command can load "
			       "(name the program or library: memo check -c DIR ELF)\n", f->symbol);
			missing++;
		}
		printf("  %s:%d: %s\n", f->file, f->line, canon);
	}
	printf("%s: %d function%s, %d not found\n", dir, cfg.nfuncs, cfg.nfuncs == 1 ? "" : "s",
	       missing);
	config_release(&cfg);
	return missing ? 1 : 0;
}
