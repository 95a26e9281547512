/*
 * preload: libmemo.so, the object LD_PRELOAD names. The one way in: read
 * every MEMO_* variable the decision needs, load the config (its errors are
 * reported in every process, exactly as before), and then load the engine
 * (libmemo-engine.so, see engine.h) only if this process may hold something
 * to memoize:
 *   - a configured name the dynamic linker already resolves (as dlsym
 *     would; looked up in the objects' hash tables), or
 *   - a loaded object that still has a symbol table (.symtab: it may define
 *     a configured static function), or
 *   - a loaded object that calls dlopen (it may load one later: ctypes).
 * Everything else — the shells, makes and compilers a `memo run` spawns —
 * pays for this file and libinih, and nothing more (sigview.c passes their
 * sigaction and signal calls on to glibc).
 * Calls config, log, elf_peek, run_report, libdl. Runs once, in the constructor,
 * single-threaded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "find/elf_peek.h"
#include "find/run_report.h"
#include "boot/engine.h"
#include "boot/sigview.h"
#include "base/log.h"

/* The config, handed to the engine, which keeps using it: never released;
 * and its room, its first functions and names, so that a start maps
 * nothing for them. In .lbss, after every small static (config.c's loader
 * says why), and the config with the first functions on one page: each
 * page a start writes is a page fault. */
static struct {
	struct memo_config cfg;
	struct config_room room;
} preload __attribute__((section(".lbss"), aligned(4096)));

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

/* The dynamic section of a loaded object (elf_peek.h reads it). */
static void read_dynamic(const struct dl_phdr_info *info, struct elf_peek_dyn *d)
{
	const ElfW(Dyn) *dyn = NULL;
	size_t i;

	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	elf_peek_dynamic(dyn, info->dlpi_addr, d);
}

/* Does the object call dlopen or dlmopen (a relocation against either)? */
static int calls_dlopen(const struct elf_peek_dyn *d)
{
	const ElfW(Rela) *rel[2] = { d->jmprel, d->rela };
	size_t nrel[2] = { d->njmprel, d->nrela }, i;
	int k;

	if (!d->symtab || !d->strtab)
		return 0;
	/* Most of a library's relocations are relative (no symbol), and most
	 * names differ at their first letter: libc's ~1,500 cost ~8 k
	 * instructions of strcmp calls in every process. */
	for (k = 0; k < 2; k++)
		for (i = 0; i < nrel[k]; i++) {
			size_t s = ELF64_R_SYM(rel[k][i].r_info);
			const char *name;

			if (!s)
				continue;
			name = d->strtab + d->symtab[s].st_name;
			if (name[0] == 'd' && name[1] == 'l' &&
			    (!strcmp(name, "dlopen") || !strcmp(name, "dlmopen")))
				return 1;
		}
	return 0;
}

/* This object's ELF header, where the linker put it: its load address. */
extern const ElfW(Ehdr) __ehdr_start;

struct walk {
	const struct memo_config *cfg;
	const char *self;	/* libmemo.so's file, once the walk met it */
	bool cxx;		/* a function is named demangled: C++, in no C process */
	bool ask_dlsym;		/* an object without a (usable) GNU hash table was met */
};

static int object_may_hold(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct walk *w = arg;
	const char *path = info->dlpi_name;
	const Elf64_Ehdr *eh;
	struct elf_peek_dyn d;
	char exe[4096];
	ssize_t n;
	int i, r;
	bool self = info->dlpi_addr == (ElfW(Addr))&__ehdr_start;

	(void)size;
	if (!path[0] && info->dlpi_addr == 0 && !info->dlpi_phnum)
		return 0;
	if (self)
		w->self = path;
	if (strstr(path, "linux-vdso"))	/* not searched by dlsym; not relocated */
		return 0;
	read_dynamic(info, &d);
	if (!d.gnu_hash) {	/* none, or no usable dynamic section */
		w->ask_dlsym = true;
	} else {
		for (i = 0; i < w->cfg->nfuncs; i++)
			if (!w->cfg->funcs[i].version[0] && elf_peek_lookup(&d, w->cfg->funcs[i].symbol))
				return 1;
		/* a demangled name is looked for by the engine (find/cxx_name.c)
		 * where C++ is: where libstdc++'s personality routine is */
		if (w->cxx && elf_peek_lookup(&d, "__gxx_personality_v0"))
			return 1;
	}
	if (!path[0]) {	/* the main program */
		const char *started = (const char *)getauxval(AT_EXECFN);

		if (calls_dlopen(&d))
			return 1;
		/* The name it was started by, when that file is the one mapped
		 * (not so for a script: that names the script): a readlink of
		 * /proc/self/exe costs a start ~15 us, a tenth of its budget. */
		eh = elf_peek_mapped_ehdr(info->dlpi_phdr, info->dlpi_phnum, info->dlpi_addr);
		if (started && eh && (r = elf_peek_symtab(started, eh)) >= 0)
			return r;
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		/* dlopen was looked for above; ld.so run as a command is no host */
		return exe[0] && !strstr(exe, "/ld-linux") && elf_peek_symtab(exe, NULL) > 0;
	}
	if (self || strstr(path, "/ld-linux"))
		return 0;
	return calls_dlopen(&d) ||
	       (path[0] && elf_peek_symtab_loaded(path, elf_peek_mapped_ehdr(info->dlpi_phdr,
									info->dlpi_phnum,
									info->dlpi_addr)));
}

/* A name with a version is asked of dlvsym; one without, of the objects'
 * hash tables (of dlsym where an object has none). */
static int may_hold_a_function(const struct memo_config *cfg, const char **self)
{
	struct walk w = { cfg, NULL, false, false };
	bool asked = false;
	int i, found = 0;

	for (i = 0; i < cfg->nfuncs; i++)
		w.cxx |= config_cxx_name(cfg->funcs[i].symbol);
	for (i = 0; i < cfg->nfuncs && !found; i++)
		if (cfg->funcs[i].version[0]) {
			asked = true;
			found = !!dlvsym(RTLD_DEFAULT, cfg->funcs[i].symbol, cfg->funcs[i].version);
		}
	if (!found)
		found = dl_iterate_phdr(object_may_hold, &w);
	for (i = 0; i < cfg->nfuncs && !found && w.ask_dlsym; i++)
		if (!cfg->funcs[i].version[0]) {
			asked = true;
			found = !!dlsym(RTLD_DEFAULT, cfg->funcs[i].symbol);
		}
	if (asked)
		dlerror();	/* leave no error of ours for the host's dlerror() */
	*self = w.self;
	return found;
}

/* libmemo-engine.so, from the folder this object (`self`, if the object
 * walk met it before it stopped) was loaded from. */
static void start_engine(const char *self)
{
	char path[4096];
	const char *slash;
	engine_start_fn *start;
	void *engine;
	Dl_info info;

	if (!self) {
		if (!dladdr((void *)start_engine, &info) || !info.dli_fname) {
			log_error("cannot tell where libmemo.so is; running unmemoized");
			return;
		}
		self = info.dli_fname;
	}
	slash = strrchr(self, '/');
	if (!slash || (size_t)(slash - self) + sizeof "/libmemo-engine.so" > sizeof path) {
		log_error("cannot locate libmemo-engine.so beside '%s'; running unmemoized", self);
		return;
	}
	memcpy(path, self, slash - self);
	strcpy(path + (slash - self), "/libmemo-engine.so");
	/* lazily bound: a start resolves only the imports it calls (Makefile) */
	engine = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	start = engine ? (engine_start_fn *)dlsym(engine, ENGINE_START_SYM) : NULL;
	if (!start) {
		log_error("cannot load '%s' (%s); running unmemoized", path, dlerror());
		return;
	}
	start(&preload.cfg, &(const struct crash_hold){ sigview_hold, sigview_give_back });
}

/* Under `memo run`: this process (its program named) could hold none of
 * the functions, so the run's summary can say why none was found. */
static void report_idle(void)
{
	char exe[4096];
	ssize_t n;
	int saved = errno;

	if (!getenv(RUN_REPORT_ENV))
		return;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	run_report_line(2, (const char *const[]){ "idle", exe });
	errno = saved;
}

__attribute__((constructor)) static void preload_start(void)
{
	const char *path, *self;
	int errors;

	log_init();
	if (env_flag("MEMO_DISABLE") || !(path = config_path()))
		return;
	preload.cfg.room = &preload.room;
	errors = config_load(path, &preload.cfg);
	if (errors) {
		if (env_flag("MEMO_STRICT")) {
			log_error("%d error%s in '%s'; exiting (MEMO_STRICT)", errors,
				  errors > 1 ? "s" : "", path);
			_exit(2);
		}
		log_error("%d error%s in '%s'; running unmemoized", errors,
			  errors > 1 ? "s" : "", path);
		config_release(&preload.cfg);
		return;
	}
	if (!may_hold_a_function(&preload.cfg, &self)) {
		log_info("no configured function can be in this process; libmemo stays idle");
		report_idle();
		return;
	}
	start_engine(self);
}
