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
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
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

/* Does the ELF file at `path` still have a .symtab? Reads its section
 * headers only, a few at a time (an object can have hundreds). With
 * `mapped` (an ELF header in memory), -1 unless the file starts with it. */
static int has_symtab(const char *path, const Elf64_Ehdr *mapped)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0, i, n, at;

	if (fd < 0)
		return mapped ? -1 : 0;
	if (pread(fd, &eh, sizeof eh, 0) != sizeof eh || (mapped && memcmp(&eh, mapped, sizeof eh))) {
		found = mapped ? -1 : 0;
	} else if (!memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
		   eh.e_shentsize == sizeof(Elf64_Shdr)) {
		for (at = 0; at < eh.e_shnum && !found; at += n) {
			n = eh.e_shnum - at < 32 ? eh.e_shnum - at : 32;
			if (pread(fd, sh, n * sizeof sh[0], eh.e_shoff + at * sizeof sh[0]) !=
			    (ssize_t)(n * sizeof sh[0]))
				break;
			for (i = 0; i < n && !found; i++)
				found = sh[i].sh_type == SHT_SYMTAB;
		}
	}
	close(fd);
	return found;
}

/* Does the object call dlopen or dlmopen (a relocation against either)? */
static int calls_dlopen(const struct dl_phdr_info *info)
{
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const ElfW(Rela) *rel[2] = { NULL, NULL };
	size_t relsz[2] = { 0, 0 }, i;
	int k;

	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		/* the dynamic linker has relocated these to addresses already */
		switch (dyn->d_tag) {
		case DT_SYMTAB: symtab = (const ElfW(Sym) *)dyn->d_un.d_ptr; break;
		case DT_STRTAB: strtab = (const char *)dyn->d_un.d_ptr; break;
		case DT_JMPREL: rel[0] = (const ElfW(Rela) *)dyn->d_un.d_ptr; break;
		case DT_PLTRELSZ: relsz[0] = dyn->d_un.d_val; break;
		case DT_RELA: rel[1] = (const ElfW(Rela) *)dyn->d_un.d_ptr; break;
		case DT_RELASZ: relsz[1] = dyn->d_un.d_val; break;
		}
	}
	if (!symtab || !strtab)
		return 0;
	for (k = 0; k < 2; k++)
		for (i = 0; rel[k] && i < relsz[k] / sizeof(ElfW(Rela)); i++) {
			size_t s = ELF64_R_SYM(rel[k][i].r_info);
			const char *name = s ? strtab + symtab[s].st_name : "";
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
	char exe[4096];
	ssize_t n;
	int r;

	(void)size;
	if (!path[0] && info->dlpi_addr == 0 && !info->dlpi_phnum)
		return 0;
	if (!path[0]) {	/* the main program */
		const char *started = (const char *)getauxval(AT_EXECFN);

		if (calls_dlopen(info))
			return 1;
		/* The name it was started by, when that file is the one mapped
		 * (not so for a script: that names the script): a readlink of
		 * /proc/self/exe costs a start ~15 us, a tenth of its budget. */
		if (started && (eh = mapped_ehdr(info)) && (r = has_symtab(started, eh)) >= 0)
			return r;
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		path = exe;
	}
	if (!strcmp(path, self) || strstr(path, "linux-vdso") || strstr(path, "/ld-linux"))
		return 0;
	return calls_dlopen(info) || (path[0] && has_symtab(path, NULL));
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
