/*
 * memo check -c DIR [ELF]: parse a config exactly as libmemo would (same
 * errors, same file:line), then say for each function where its symbol is:
 * in ELF when one is given (its .symtab, else .dynsym), else among the
 * objects this process can load; and, where debug info describes it, that
 * the prototype agrees with it (signature.c: the engine refuses one that
 * does not) and which `opaque` arguments the function reads through; and,
 * for a function several of ELF's objects define, each copy and which one
 * each caller binds to.
 */
#include <dlfcn.h>
#include <elf.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "find/cxx_name.h"
#include "find/dwarf.h"
#include "find/elf.h"
#include "config/types.h"
#include "find/signature.h"
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

static void say_opaque(void *ctx, int arg, const char *text)
{
	char where[PATH_MAX + 32];

	signature_where(ctx, arg, where, sizeof where);
	printf("  %s: warning: %s\n", where, text);
}

/* The prototype against the debug info of `path`, where the function is at
 * file address vaddr. 1 when they disagree (said), else 0. */
static int check_signature(const struct function_config *f, const char *path, uint64_t vaddr)
{
	static struct dwarf_func d;
	char why[512], text[512], where[PATH_MAX + 32];
	int arg;

	if (memo_dwarf_describe(path, vaddr, &d, why, sizeof why) <= 0) {
		if (types_undefined(&f->proto)) {
			signature_where(f, -1, where, sizeof where);
			printf("  %s: error [%s]: a struct is declared in no [types] section, and no "
			       "debug info describes it: %s\n", where,
			       hook_refusal_name(REFUSE_PROTO_MISMATCH), why);
			return 1;
		}
		printf("  prototype not checked: %s\n", why);
		return 0;
	}
	/* structs no [types] declares: defined by this debug info (the
	 * config's own memory, this command's) */
	if ((types_unsettled(&f->proto) && signature_define_structs((struct proto *)&f->proto, &d,
								    &arg, text, sizeof text) < 0) ||
	    signature_compare(&f->proto, &d, &arg, text, sizeof text) < 0) {
		signature_where(f, arg, where, sizeof where);
		printf("  %s: error [%s]: %s\n", where, hook_refusal_name(REFUSE_PROTO_MISMATCH), text);
		return 1;
	}
	printf("  prototype agrees with the debug info (%s)\n", d.debug_file);
	signature_opaque_read(&f->proto, &d, say_opaque, (void *)f);
	return 0;
}

/* f's symbol in img, a C++ name demangled found as the engine finds it
 * (find/cxx_name.c). 0, or -1. */
static int image_symbol(const struct elf_image *img, const struct function_config *f,
			struct elf_sym *sym)
{
	char why[8];

	if (config_cxx_name(f->symbol))
		return cxx_name_find(img, f->symbol, sym, why, sizeof why) == 1 ? 0 : -1;
	return elf_image_symbol(img, f->symbol, f->version, sym);
}

/* The file address of f's symbol in the ELF file `path`. 0, or -1. */
static int symbol_vaddr(const struct function_config *f, const char *path, uint64_t *vaddr)
{
	char why[256];
	struct elf_image *img = elf_image_open(path, why, sizeof why);
	struct elf_sym sym;

	if (!img || image_symbol(img, f, &sym) < 0)
		return -1;
	*vaddr = sym.value;
	return 0;
}

/* Each function's prototype as the user wrote it (config's trace), in
 * config order: what memo check prints, rather than libmemo's notation. */
struct written {
	char **text;
	int n;
};

static void on_setting(void *ctx, const char *function, const char *version, const char *key,
		       const char *file, int line, const char *text)
{
	struct written *w = ctx;
	char **v;

	(void)version;
	(void)file;
	(void)line;
	if (!function || strcmp(key, "prototype") || !(v = realloc(w->text, (w->n + 1) * sizeof *v)))
		return;
	w->text = v;
	w->text[w->n++] = strdup(text);
}

#define MAX_LIBS 256

/* The first of libs[] that defines f: its path, with f's file address. */
static const char *in_libraries(const struct function_config *f, char libs[][PATH_MAX], int n,
				uint64_t *vaddr)
{
	for (int i = 0; i < n; i++)
		if (symbol_vaddr(f, libs[i], vaddr) == 0)
			return libs[i];
	return NULL;
}

/* What say_copies asks of one object's symbols. */
struct copy_look {
	const struct function_config *f;
	bool dynamic_only;	/* only an export counts */
	bool found;
};

static int copy_look_cb(const struct elf_sym *s, void *arg)
{
	struct copy_look *l = arg;

	if (s->bind == STB_LOCAL || (l->dynamic_only && !s->dynamic) ||
	    (s->dynamic && l->f->version[0] && strcmp(s->version, l->f->version)))
		return 0;
	l->found = true;
	return 1;
}

/* Does `path` define f globally (exported: in .dynsym)? */
static bool defines(const struct function_config *f, const char *path, bool exported)
{
	struct elf_image *img = elf_image_open(path, NULL, 0);
	struct copy_look l = { f, exported, false };

	if (img)
		elf_image_each_symbol(img, f->symbol, copy_look_cb, &l);
	return l.found;
}

/* Does `path` call f through a GOT slot (PLT or -fno-plt)? */
static bool calls_through_got(const struct function_config *f, const char *path)
{
	struct elf_image *img = elf_image_open(path, NULL, 0);
	const struct elf_reloc *r;
	size_t n = img ? elf_image_relocs(img, &r) : 0;

	for (size_t i = 0; i < n; i++)
		if ((r[i].type == R_X86_64_JUMP_SLOT || r[i].type == R_X86_64_GLOB_DAT) && r[i].sym &&
		    !strcmp(r[i].sym->name, f->symbol))
			return true;
	return false;
}

/*
 * When f is defined in several of the objects (objs[0] the program, then
 * the libraries it loads, in the loader's order), name each copy and which
 * one each caller binds to: a call through a GOT slot binds to the first
 * export in that order (the global scope); another copy is reached only by
 * calls inside its object that bypass its GOT. libmemo memoizes each copy.
 */
static void say_copies(const struct function_config *f, const char *objs[], int n)
{
	const char *bound = NULL;
	int copies = 0, i;

	for (i = 0; i < n; i++)
		if (defines(f, objs[i], i > 0)) {
			copies++;
			if (!bound && defines(f, objs[i], true))
				bound = objs[i];
		}
	if (copies < 2)
		return;
	printf("  %d copies, each memoized on its own:", copies);
	for (i = 0; i < n; i++)
		if (defines(f, objs[i], i > 0))
			printf(" %s", objs[i]);
	printf("\n");
	for (i = 0; i < n; i++) {
		if (!defines(f, objs[i], i > 0))
			continue;
		if (objs[i] == bound)
			printf("  the copy in %s: calls through the GOT bind to it\n", objs[i]);
		else
			printf("  the copy in %s: reached only by calls inside it that bypass its GOT\n",
			       objs[i]);
	}
	for (i = 0; i < n && bound; i++)
		if (calls_through_got(f, objs[i]))
			printf("  %s calls the copy in %s\n", objs[i], bound);
}

/* The libraries `elf` loads, as the dynamic linker resolves them for it
 * (`ld.so --list`, which maps them without running any of their code; the
 * program's RUNPATH and LD_LIBRARY_PATH count), into lib[], at most max.
 * Returns how many. */
static int libraries_of(const char *elf, char lib[][PATH_MAX], int max)
{
	static const char loader[] = "/lib64/ld-linux-x86-64.so.2";
	char buf[16384], *line, *save = NULL;
	size_t len = 0;
	int fd[2], n = 0, status;
	ssize_t got;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		unsetenv("LD_PRELOAD");	/* the listing is the program's own */
		execl(loader, loader, "--list", elf, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (pid > 0 && len < sizeof buf - 1 &&
	       (got = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)got;
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 0;
	buf[len] = 0;
	/* "\tlibshapes.so => /path/libshapes.so (0x...)" */
	for (line = strtok_r(buf, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
		char *arrow = strstr(line, " => "), *end;

		if (!arrow || arrow[4] != '/' || !(end = strstr(arrow + 4, " (")))
			continue;
		snprintf(lib[n++], PATH_MAX, "%.*s", (int)(end - arrow - 4), arrow + 4);
	}
	return n;
}

const struct cmd_spec cmd_check_spec = {
	"check", "[-c DIR] [ELF]",
	"Read the config DIR exactly as libmemo would (the same errors, with\n"
	"file:line:col), then say where each function is: in ELF, a program or\n"
	"library, or the libraries it loads, when given; else among the objects\n"
	"this command can load.\n"
	"Where debug info describes a function, check its prototype against it\n"
	"(as libmemo does at start-up) and name the opaque arguments it reads\n"
	"through.\n",
	.config = true, .max_pos = 1,
};

int cmd_check(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	const char *dir = a->dir, *elf = a->npos ? a->pos[0] : NULL;
	struct elf_image *img = NULL;
	int i, errors, missing = 0, contradicted = 0, nlibs = 0;
	static char libs[MAX_LIBS][PATH_MAX];
	static const char *objs[MAX_LIBS + 1];
	struct written w = { NULL, 0 };
	char why[256];

	log_init();
	config_set_trace(on_setting, &w);
	errors = config_load(dir, &cfg);
	config_set_trace(NULL, NULL);
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
	if (img)
		nlibs = libraries_of(elf, libs, MAX_LIBS);
	objs[0] = elf;
	for (i = 0; i < nlibs; i++)
		objs[i + 1] = libs[i];
	for (i = 0; i < cfg.nfuncs; i++) {
		const struct function_config *f = &cfg.funcs[i];
		struct elf_sym sym;
		Dl_info info;
		void *addr;
		const char *in = NULL;
		uint64_t vaddr = 0;

		if (img && image_symbol(img, f, &sym) == 0) {
			printf("%s: found in %s (%s, %llu bytes)\n", f->symbol, elf,
			       sym.dynamic ? ".dynsym" : ".symtab", (unsigned long long)sym.size);
			in = elf;
			vaddr = sym.value;
		} else if (img && (in = in_libraries(f, libs, nlibs, &vaddr))) {
			printf("%s: found in %s, a library %s loads\n", f->symbol, in, elf);
		} else if (img) {
			printf("%s: not found in %s or the libraries it loads%s\n", f->symbol, elf,
			       elf_image_has_symtab(img) ? "" : " (it is stripped: only exported symbols are listed)");
			missing++;
		} else if ((addr = find_symbol(f)) && dladdr(addr, &info)) {
			printf("%s: found in %s\n", f->symbol, info.dli_fname);
			if (symbol_vaddr(f, info.dli_fname, &vaddr) == 0)
				in = info.dli_fname;
		} else {
			printf("%s: not found among the objects this command can load "
			       "(name the program or library: memo check -c DIR ELF)\n", f->symbol);
			missing++;
		}
		if (img)
			say_copies(f, objs, nlibs + 1);
		/* sections are told in order, each once (a config that loads has
		 * no duplicate), so the i-th prototype told is f's */
		printf("  %s:%d: %s\n", f->file, f->line, i < w.n && w.text[i] ? w.text[i] : "?");
		if (f->proto.ret_kind == RET_CXX_OBJECT)	/* as call/closure.c will */
			printf("  %s:%d: error [%s]: it returns '%s' by value, a C++ object that is "
			       "not trivially copyable: it will run unmemoized\n", f->file, f->line,
			       hook_refusal_name(REFUSE_CXX_OBJECT), f->proto.ret_cxx);
		if (in)
			contradicted += check_signature(f, in, vaddr);
		/* the engine checks each copy against its own debug info */
		for (int j = 0; img && in && j <= nlibs; j++)
			if (objs[j] != in && defines(f, objs[j], j > 0) &&
			    symbol_vaddr(f, objs[j], &vaddr) == 0)
				contradicted += check_signature(f, objs[j], vaddr);
	}
	printf("%s: %d function%s, %d not found", dir, cfg.nfuncs, cfg.nfuncs == 1 ? "" : "s",
	       missing);
	if (contradicted)
		printf(", %d contradicted by the debug info", contradicted);
	printf("\n");
	config_release(&cfg);
	for (i = 0; i < w.n; i++)
		free(w.text[i]);
	free(w.text);
	return missing || contradicted ? 1 : 0;
}
