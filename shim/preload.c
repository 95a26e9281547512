/*
 * preload: libmemo.so, the object LD_PRELOAD names. The one way in: read
 * every MEMO_* variable the decision needs, load the config (its errors are
 * reported in every process, exactly as before), and then load the engine
 * (libmemo-engine.so, see engine.h) only if this process may hold something
 * to memoize:
 *   - a configured name the dynamic linker already resolves (dlsym), or
 *   - a loaded object that still has a symbol table (.symtab: it may define
 *     a configured static function), or
 *   - a loaded object that calls dlopen (it may load one later: ctypes).
 * Everything else — the shells, makes and compilers a `memo run` spawns —
 * pays for this file and libinih, and nothing more.
 * Calls config, log, libdl. Runs once, in the constructor, single-threaded.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "elf_peek.h"
#include "engine.h"
#include "log.h"

/* Handed to the engine, which keeps using it: never released. */
static struct memo_config preload_cfg;

/* Which config: MEMO_CONFIG, else ./memo.d if present, else none. */
static const char *config_path(void)
{
	const char *p = getenv("MEMO_CONFIG");
	struct stat st;

	if (p && *p)
		return p;
	if (stat("memo.d", &st) == 0 && S_ISDIR(st.st_mode))
		return "memo.d";
	return NULL;
}

/* What an object's dynamic section says, as its addresses in memory (the
 * dynamic linker has relocated them already). */
struct dynamic {
	const ElfW(Sym) *symtab;
	const char *strtab;
	const ElfW(Rela) *rel[2];	/* DT_JMPREL, DT_RELA */
	size_t relsz[2];
};

static void read_dynamic(const struct dl_phdr_info *info, struct dynamic *d)
{
	const ElfW(Dyn) *dyn = NULL;
	size_t i;

	memset(d, 0, sizeof *d);
	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_SYMTAB: d->symtab = (const ElfW(Sym) *)dyn->d_un.d_ptr; break;
		case DT_STRTAB: d->strtab = (const char *)dyn->d_un.d_ptr; break;
		case DT_JMPREL: d->rel[0] = (const ElfW(Rela) *)dyn->d_un.d_ptr; break;
		case DT_PLTRELSZ: d->relsz[0] = dyn->d_un.d_val; break;
		case DT_RELA: d->rel[1] = (const ElfW(Rela) *)dyn->d_un.d_ptr; break;
		case DT_RELASZ: d->relsz[1] = dyn->d_un.d_val; break;
		}
	}
}

/* Does the object call dlopen or dlmopen (a relocation against either)? */
static int calls_dlopen(const struct dynamic *d)
{
	size_t i;
	int k;

	if (!d->symtab || !d->strtab)
		return 0;
	for (k = 0; k < 2; k++)
		for (i = 0; d->rel[k] && i < d->relsz[k] / sizeof(ElfW(Rela)); i++) {
			size_t s = ELF64_R_SYM(d->rel[k][i].r_info);
			const char *name = s ? d->strtab + d->symtab[s].st_name : "";
			if (!strcmp(name, "dlopen") || !strcmp(name, "dlmopen"))
				return 1;
		}
	return 0;
}

/* The ELF header as mapped: the start of the load segment at offset 0. */
static const Elf64_Ehdr *mapped_ehdr(const struct dl_phdr_info *info)
{
	size_t i;

	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && info->dlpi_phdr[i].p_offset == 0)
			return (const Elf64_Ehdr *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	return NULL;
}

static int object_may_hold(struct dl_phdr_info *info, size_t size, void *arg)
{
	const char *self = arg, *path = info->dlpi_name;
	const Elf64_Ehdr *eh;
	struct dynamic d;
	char exe[4096];
	ssize_t n;
	int r;

	(void)size;
	if (!path[0] && info->dlpi_addr == 0 && !info->dlpi_phnum)
		return 0;
	/* libmemo.so itself calls dlopen; the vdso and the dynamic linker
	 * define nothing a config names */
	if (path[0] && (!strcmp(path, self) || strstr(path, "linux-vdso") || strstr(path, "/ld-linux")))
		return 0;
	read_dynamic(info, &d);
	if (calls_dlopen(&d))
		return 1;
	if (!path[0]) {	/* the main program */
		const char *started = (const char *)getauxval(AT_EXECFN);

		/* The name it was started by, when that file is the one mapped
		 * (not so for a script: that names the script): a readlink of
		 * /proc/self/exe costs a start ~15 us, a tenth of its budget. */
		if (started && (eh = mapped_ehdr(info)) && (r = elf_peek_symtab(started, eh)) >= 0)
			return r;
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		path = exe;
	}
	return path[0] && elf_peek_symtab(path, NULL);
}

static int may_hold_a_function(const struct memo_config *cfg, const char *self)
{
	int i;

	for (i = 0; i < cfg->nfuncs; i++) {
		const struct function_config *f = &cfg->funcs[i];
		if (f->version[0] ? dlvsym(RTLD_DEFAULT, f->symbol, f->version) :
				    dlsym(RTLD_DEFAULT, f->symbol))
			return 1;
	}
	dlerror();	/* leave no error of ours for the host's dlerror() */
	return dl_iterate_phdr(object_may_hold, (void *)self);
}

/* libmemo-engine.so, from the folder this object was loaded from. */
static void start_engine(const char *self)
{
	char path[4096];
	const char *slash = strrchr(self, '/');
	engine_start_fn *start;
	void *engine;

	if (!slash || (size_t)(slash - self) + sizeof "/libmemo-engine.so" > sizeof path) {
		log_error("cannot locate libmemo-engine.so beside '%s'; running unmemoized", self);
		return;
	}
	memcpy(path, self, slash - self);
	strcpy(path + (slash - self), "/libmemo-engine.so");
	engine = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	start = engine ? (engine_start_fn *)dlsym(engine, ENGINE_START_SYM) : NULL;
	if (!start) {
		log_error("cannot load '%s' (%s); running unmemoized", path, dlerror());
		return;
	}
	start(&preload_cfg);
}

__attribute__((constructor)) static void preload_start(void)
{
	const char *path;
	Dl_info self;
	int errors;

	log_init();
	if (env_flag("MEMO_DISABLE") || !(path = config_path()))
		return;
	errors = config_load(path, &preload_cfg);
	if (errors) {
		if (env_flag("MEMO_STRICT")) {
			log_error("%d error%s in '%s'; exiting (MEMO_STRICT)", errors,
				  errors > 1 ? "s" : "", path);
			_exit(2);
		}
		log_error("%d error%s in '%s'; running unmemoized", errors,
			  errors > 1 ? "s" : "", path);
		config_release(&preload_cfg);
		return;
	}
	if (!dladdr((void *)preload_start, &self) || !self.dli_fname) {
		log_error("cannot tell where libmemo.so is; running unmemoized");
		return;
	}
	if (!may_hold_a_function(&preload_cfg, self.dli_fname)) {
		log_info("no configured function can be in this process; libmemo stays idle");
		return;
	}
	start_engine(self.dli_fname);
}
