/*
 * symbols: finds a configured function in the loaded objects (sym_resolve,
 * symbols.h) from their ELF symbol tables, static functions included, and owns
 * libmemo's deny list.
 * Calls elf (elf_image_*), symcache (what an earlier process found in a
 * .symtab), hook (hook_refuse), dl_iterate_phdr,
 * dlopen(RTLD_NOLOAD)/dlinfo/dladdr1 and an IFUNC's resolver. Start-up and
 * dlopen only, under runtime_lock; never on the hot path.
 */
#include "find/symbols.h"
#include "find/cxx_name.h"

#include "config/config.h"
#include "find/elf.h"
#include "find/elf_peek.h"
#include "find/hook.h"
#include "find/symcache.h"
#include "base/log.h"

#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The deny list: every function libmemo itself (or a library it uses) may
 * call. Hooking one would send libmemo's own calls into its call path, which
 * may lock, allocate or recurse without end, so such a symbol is refused by
 * name before anything is looked up: [denied] "'malloc' is used by libmemo itself".
 * Exact names first, then prefixes that cover whole libraries (libffi, libb2,
 * libelf, libdw, libunwind, libinih, libmemcached, Zydis) and libmemo's own
 * exports. Keep it here and only here. The names are arrays, not pointers
 * (the loader has ~200 pointers fewer to relocate), in byte order (`LC_ALL=C
 * sort`): sym_denied halves the table, 8 comparisons a name where a scan of
 * every first letter and a strncmp for each match cost ~1,200 instructions
 * (2% of a ten-function start). They are memory, strings and numbers, files,
 * time, processes and the environment, memcached's sockets, and the dynamic
 * linker's functions.
 */
static const char deny_names[][20] = {
	"_Fork", "__cxa_atexit", "__cxa_finalize", "__errno_location",
	"__libc_start_main", "__stack_chk_fail", "__tls_get_addr", "_exit", "abort",
	"accept", "accept4", "access", "aligned_alloc", "atexit", "atoi", "atol",
	"bcmp", "bind", "bsearch", "calloc", "clock_gettime", "clock_nanosleep",
	"close", "closedir", "connect", "creat", "creat64", "dl_iterate_phdr",
	"dladdr", "dladdr1", "dlclose", "dlerror", "dlinfo", "dlmopen", "dlopen",
	"dlsym", "dlvsym", "dup", "dup2", "execve", "exit", "faccessat", "fclose",
	"fcntl", "fcntl64", "fdatasync", "fdopen", "fdopendir", "fflush", "fgets",
	"flock", "fopen", "fopen64", "fork", "fprintf", "fputc", "fputs", "fread",
	"free", "freeaddrinfo", "fstat", "fstat64", "fstatat", "fstatat64", "fsync",
	"ftruncate", "futimens", "fwrite", "gai_strerror", "getaddrinfo", "getauxval",
	"getdents64", "getenv", "getpagesize", "getpeername", "getpid", "getsockname",
	"getsockopt", "gettid", "gettimeofday", "getuid", "htonl", "htons",
	"inet_ntop", "inet_pton", "ioctl", "kill", "listen", "lseek", "lseek64",
	"lstat", "lstat64", "madvise", "malloc", "malloc_usable_size", "memalign",
	"memchr", "memcmp", "memcpy", "memmove", "mempcpy", "memset", "mkdir",
	"mkdirat", "mmap", "mmap64", "mprotect", "mremap", "munmap", "nanosleep",
	"ntohl", "ntohs", "open", "open64", "openat", "openat64", "opendir", "pipe",
	"pipe2", "poll", "posix_memalign", "ppoll", "prctl", "pread", "pread64",
	"printf", "puts", "pvalloc", "pwrite", "pwrite64", "qsort", "raise", "read",
	"readdir", "readdir64", "readlink", "readv", "realloc", "reallocarray",
	"realpath", "recv", "recvfrom", "recvmsg", "rename", "renameat", "sched_yield",
	"secure_getenv", "select", "send", "sendmsg", "sendto", "setenv", "setsockopt",
	"shutdown", "sigaction", "sigemptyset", "sigfillset", "signal", "sigprocmask",
	"snprintf", "socket", "sprintf", "sscanf", "stat", "stat64", "statx", "stpcpy",
	"strcasecmp", "strcat", "strchr", "strcmp", "strcpy", "strcspn", "strdup",
	"strerror", "strerror_r", "strlen", "strncasecmp", "strncat", "strncmp",
	"strncpy", "strndup", "strnlen", "strrchr", "strspn", "strstr", "strtod",
	"strtof", "strtok_r", "strtol", "strtoll", "strtoul", "strtoull", "syscall",
	"sysconf", "time", "unlink", "unlinkat", "unsetenv", "utimensat", "valloc",
	"vfork", "vfprintf", "vsnprintf", "vsprintf", "write", "writev",
};

static const char *const deny_prefixes[] = {
	"pthread_", "__pthread", "sem_", "__libc_", "_dl_",
	"ffi_", "blake2", "elf_", "elf32_", "elf64_", "gelf_", "dwarf_", "dwfl_",
	"unw_", "_U", "_ULx86_64", "ini_", "memcached_", "libmemcached_",
	"Zydis", "memo_",
};

static int deny_name_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof deny_names[0]);
}

/* Is h's symbol on the deny list? If so, h is refused with the reason. */
static bool sym_denied(struct hook *h)
{
	const char *name = h->fn->symbol;
	/* the name as the table holds it: NUL-padded, no NUL when it fills
	 * the array (C allows a name of exactly its length, GCC says nothing) */
	char key[sizeof deny_names[0]] = { 0 };
	size_t i, n;

	for (n = 0; n < sizeof key && name[n]; n++)
		key[n] = name[n];
	/* (glibc's bsearch is inline where the compiler optimizes: no import) */
	if (!name[n] && bsearch(key, deny_names, sizeof deny_names / sizeof deny_names[0],
				sizeof deny_names[0], deny_name_cmp))
		goto denied;
	for (i = 0; i < sizeof deny_prefixes / sizeof deny_prefixes[0]; i++)
		if (name[0] == deny_prefixes[i][0] &&
		    !strncmp(name, deny_prefixes[i], strlen(deny_prefixes[i])))
			goto denied;
	return false;
denied:
	hook_refuse(h, REFUSE_DENIED, "'%.100s' is used by libmemo itself", name);
	return true;
}

/* One loaded object, as sym_resolve needs it. What is learnt of it is kept
 * with it, so that ten functions cost one look at each object, not ten. */
struct sym_object {
	const char *name;	/* the loader's name for it; "" = the main program */
	char *path;		/* the ELF file, resolved when first needed (sym_path) */
	uintptr_t base;		/* load bias */
	const ElfW(Phdr) *phdr;	/* its program headers, mapped while it is loaded */
	int phnum;
	bool in_base;		/* listed in the base namespace (sym_walk_cb) */
	signed char symtab;	/* has a .symtab: 1, 0, or -1 not looked at yet */
	signed char usable;	/* sym_object_usable: 1, 0, or -1 not asked yet */
	const ElfW(Dyn) *dyn;	/* its dynamic section as loaded (DT_SONAME), or NULL */
	/* what elf_peek_dynamic reads of it, read once (sym_dyn): start-up asks
	 * each object's hash table about every configured name */
	signed char dyn_read;	/* 1 read, 0 none usable, -1 not read yet */
	struct elf_peek_dyn dyn_peek;
};

/* An `object =` path as realpath resolved it, once per walk: a program of
 * a thousand objects had it resolved once for each of them, for each
 * function (a readlink per component, each failing). */
struct sym_want {
	struct sym_want *next;
	char *real;		/* NULL: it does not resolve */
	char want[];
};

struct sym_walk {
	struct sym_object *objs;
	int n, cap;
	struct sym_want *wants;	/* the paths resolved in this walk */
};

/* Is the object whose dynamic section is `dyn` in the base namespace's
 * list? Read inside dl_iterate_phdr's callback, whose lock keeps the list
 * still: a copy loaded with dlmopen is in another namespace's. */
static bool sym_in_base_namespace(const ElfW(Dyn) *dyn)
{
	for (const struct link_map *lm = _r_debug.r_map; lm && dyn; lm = lm->l_next)
		if (lm->l_ld == dyn)
			return true;
	return false;
}

/*
 * Collects objects in link-map order, the main program first; no dl* call
 * may run inside dl_iterate_phdr's callback (it holds the loader's list lock).
 */
static int sym_walk_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct sym_walk *w = arg;
	struct sym_object *o;
	const char *name = info->dlpi_name ? info->dlpi_name : "";

	(void)size;
	if (w->n == w->cap) {	/* malloc is allowed here; dl* calls are not */
		struct sym_object *more = realloc(w->objs, 2 * w->cap * sizeof *more);
		if (!more)
			return 1;
		w->objs = more;
		w->cap *= 2;
	}
	/* the vdso has no file; only the first object (the main program) has no name */
	if (w->n > 0 && (!*name || !strncmp(name, "linux-vdso", 10)))
		return 0;
	o = &w->objs[w->n++];
	o->base = info->dlpi_addr;
	o->phdr = info->dlpi_phdr;
	o->phnum = info->dlpi_phnum;
	o->symtab = o->usable = -1;
	o->name = w->n == 1 ? "" : name;	/* the loader keeps it while the object stays */
	o->path = NULL;
	o->dyn = NULL;
	o->dyn_read = -1;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			o->dyn = (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	o->in_base = sym_in_base_namespace(o->dyn);
	return 0;
}

/* The main program's file: the name it was started by (AT_EXECFN),
 * symbolic links resolved, when that file starts with the ELF header
 * mapped at o (not so for a script: that names the script), which also
 * says whether it has a .symtab (o->symtab); else as the kernel resolved
 * it (/proc/self/exe: a readlink there cost a start ~15 us, as
 * preload.c found). "" when neither, said once: its own functions then
 * cannot be found. `out` holds PATH_MAX bytes. */
static void sym_exe_path(struct sym_object *o, char *out)
{
	const char *started = (const char *)getauxval(AT_EXECFN);
	const Elf64_Ehdr *mapped = elf_peek_mapped_ehdr(o->phdr, o->phnum, o->base);
	ssize_t len;
	static int said;
	int symtab;

	if (started && mapped && (symtab = elf_peek_symtab(started, mapped)) >= 0 &&
	    realpath(started, out)) {
		o->symtab = (signed char)symtab;
		return;
	}
	if ((len = readlink("/proc/self/exe", out, PATH_MAX - 1)) > 0) {
		out[len] = '\0';
		return;
	}
	out[0] = '\0';
	if (!__atomic_fetch_add(&said, 1, __ATOMIC_RELAXED))
		log_warn("cannot find the main program's file (no /proc/self/exe, and '%s' is not "
			 "it): the functions it defines itself are not memoized; mount /proc",
			 started ? started : "?");
}

/* The object's file, symbolic links resolved (`object =` may name either). A
 * walk stops at the first object that defines the symbol: the objects after
 * it never pay for realpath. "" when out of memory. */
static const char *sym_path(struct sym_object *o)
{
	char path[PATH_MAX];
	size_t len;

	if (o->path)
		return o->path;
	if (!*o->name)
		sym_exe_path(o, path);
	else if (!realpath(o->name, path))
		snprintf(path, sizeof path, "%s", o->name);
	/* malloc and memcpy, which start-up calls already, not strdup: each
	 * other import is a lookup by the loader */
	len = strlen(path) + 1;
	if ((o->path = malloc(len)))
		memcpy(o->path, path, len);
	return o->path ? o->path : "";
}

const char *sym_keep_path(const char *path)
{
	/* a few files a process: a list, never freed (a hook retired keeps
	 * its path for whoever reads it still) */
	static struct kept { struct kept *next; char path[]; } *kept;
	struct kept *k;
	size_t n = strlen(path) + 1;

	for (k = kept; k; k = k->next)
		if (!strcmp(k->path, path))
			return k->path;
	if (!(k = malloc(sizeof *k + n)))
		return "";
	memcpy(k->path, path, n);
	k->next = kept;
	kept = k;
	return k->path;
}

/* Whether o's file has a .symtab, read once (sym_exe_path may have
 * learnt it for the main program). */
static bool sym_has_symtab(struct sym_object *o)
{
	const char *path = sym_path(o);

	if (o->symtab < 0)
		o->symtab = elf_peek_symtab(path, NULL) > 0;
	return o->symtab;
}

/* The object's dynamic section as elf_peek_dynamic reads it, or NULL. */
static const struct elf_peek_dyn *sym_dyn(struct sym_object *o)
{
	if (o->dyn_read < 0)
		o->dyn_read = o->dyn && elf_peek_dynamic(o->dyn, o->base, &o->dyn_peek);
	return o->dyn_read ? &o->dyn_peek : NULL;
}

/* Does the file name `base` answer to `want`: the same, or `want` followed
 * by a dot ("libfoo" and "libfoo.so" both match libfoo.so.1)? */
static bool sym_name_matches(const char *want, const char *base)
{
	size_t n = strlen(want);

	return !strncmp(base, want, n) && (base[n] == '\0' || base[n] == '.');
}

static const char *sym_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* want, symbolic links resolved, as realpath says once per walk; NULL when
 * it does not resolve (or no memory: then it matches no file by its links). */
static const char *sym_want_real(struct sym_walk *w, const char *want)
{
	struct sym_want *k;
	char real[PATH_MAX];
	size_t n = strlen(want) + 1;

	for (k = w->wants; k; k = k->next)
		if (!strcmp(k->want, want))
			return k->real;
	if (!(k = malloc(sizeof *k + n)))
		return NULL;
	memcpy(k->want, want, n);
	k->real = realpath(want, real) ? strdup(real) : NULL;
	k->next = w->wants;
	w->wants = k;
	return k->real;
}

/*
 * Does object o answer to the config's `object = want`? Each of its names
 * counts, since a user may know any one of them (libopenblas.so.0 is the
 * soname, the name programs link with and an alternatives symlink to
 * openblas-pthread/libopenblasp-r0.3.21.so): its DT_SONAME, the name the
 * loader has for it (as linked, or as dlopened; for the main program the
 * name it was started by), and its file, symbolic links resolved. A `want`
 * with a slash is a path: the loader's own, or the file's, with or without
 * its links resolved; else it is a file name, matched as sym_name_matches
 * says.
 */
static bool sym_object_matches(struct sym_walk *w, const char *want, struct sym_object *o)
{
	const char *path = sym_path(o), *loaded = o->name, *real;
	const struct elf_peek_dyn *d;

	if (!*loaded && !(loaded = (const char *)getauxval(AT_EXECFN)))
		loaded = "";
	if (strchr(want, '/'))
		return !strcmp(want, path) || !strcmp(want, loaded) ||
		       ((real = sym_want_real(w, want)) && !strcmp(real, path));
	if (sym_name_matches(want, sym_base(path)) || sym_name_matches(want, sym_base(loaded)))
		return true;
	return (d = sym_dyn(o)) && d->soname && sym_name_matches(want, d->soname);
}

/* A refusal is final (no dlopen can change it); the caller says it once
 * (activate_log_failure). */
static int sym_refuse(struct hook *h)
{
	h->state = HOOK_FAILED;
	return -1;
}

/*
 * Is this object one the base namespace's calls bind to? A copy loaded with
 * dlmopen keeps its own definitions (got.c leaves them alone too), and
 * libmemo's own objects are never searched. The main program always is.
 * Asked once per object; the namespace was read by the walk (a dlopen of
 * its name with RTLD_NOLOAD, dlinfo and dlclose, each object, cost a start
 * ~1.5 k instructions an object).
 */
static bool sym_object_usable(struct sym_object *o)
{
	static const char *const own[] = { "libmemo.so", "libmemo-engine.so",
					   "libmemo-memcached.so" };
	static int anchor;
	struct link_map *lm = NULL;
	const char *path;
	Dl_info info;
	size_t i;

	if (o->usable >= 0)
		return o->usable;
	o->usable = !*o->name;
	if (o->usable)
		return true;
	if (!o->in_base || (dladdr1(&anchor, &info, (void **)&lm, RTLD_DL_LINKMAP) && lm &&
			    *lm->l_name && lm->l_addr == o->base))
		return false;
	/* by the loader's name first: its file's (symbolic links resolved, a
	 * system call a folder of its path) only when that is not one of them */
	for (i = 0; i < sizeof own / sizeof own[0]; i++)
		if (!strcmp(sym_base(o->name), own[i]))
			return false;
	path = sym_path(o);
	for (i = 0; i < sizeof own / sizeof own[0]; i++)
		if (!strcmp(sym_base(path), own[i]))
			return false;
	o->usable = true;
	return true;
}

/* Which of o's loaded segments holds addr: 1 an executable one, 0 another,
 * -1 none (the address belongs to another object). */
static int sym_segment_of(const struct sym_object *o, uintptr_t addr)
{
	for (int i = 0; i < o->phnum; i++) {
		const ElfW(Phdr) *ph = &o->phdr[i];
		uintptr_t lo = o->base + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && addr >= lo && addr - lo < ph->p_memsz)
			return (ph->p_flags & PF_X) != 0;
	}
	return -1;
}

/*
 * Could dlsym on o's handle find `name` (unversioned) in o itself? Its GNU
 * hash table, as mapped, which the loader searches, says no for most
 * objects without a dlsym, whose failure formats an error (~7 us). In the
 * main program any symbol of the name may answer (a non-PIE one hashes the
 * PLT stubs whose address it takes). Unsure (true) for a versioned name or
 * an object without that table.
 */
static bool sym_may_define(struct sym_object *o, const char *name, const char *version)
{
	const struct elf_peek_dyn *d;

	if (*version || !(d = sym_dyn(o)) || !d->gnu_hash)
		return true;
	return *o->name ? elf_peek_lookup(d, name) != NULL : elf_peek_hashes(d, name);
}

/*
 * An object without .symtab defines only what its .dynsym exports, and the
 * loader's own hash tables answer that: no ELF image is built (for libc that
 * would be most of a start-up). dlsym on the object's handle also searches
 * its dependencies, so only an address inside the object's own segments
 * counts; an IFUNC comes back already resolved to the implementation this
 * CPU gets. 1 found, 0 absent, -1 refused for good (hook_refuse), 2 unsure:
 * an address in the main program may be the PLT stub of an import (a
 * non-PIE program that takes a function's address), which only a defined
 * symbol of that name at that address rules out.
 */
static int sym_in_stripped(struct hook *h, struct sym_object *o, const char *name)
{
	const struct function_config *fn = h->fn;
	const ElfW(Sym) *sym = NULL;
	const struct elf_peek_dyn *d;
	Dl_info info;
	void *handle, *addr;
	int seg;

	/* what dlsym would find elsewhere, in a dependency, counts for nothing */
	if (!sym_may_define(o, name, fn->version))
		return 0;
	/* a shared object's own function, as its hash table gives it, is what
	 * dlsym on its handle returns (not so an IFUNC: its resolver chooses) */
	if (*o->name && !*fn->version && (d = sym_dyn(o)) &&
	    (sym = elf_peek_lookup(d, name)) && ELF64_ST_TYPE(sym->st_info) == STT_FUNC) {
		addr = (void *)(o->base + sym->st_value);
	} else {
		if (!(handle = dlopen(*o->name ? o->name : NULL, RTLD_LAZY | RTLD_NOLOAD)))
			return 0;
		addr = *fn->version ? dlvsym(handle, name, fn->version) : dlsym(handle, name);
		dlclose(handle);
	}
	sym = NULL;
	if (!addr || (seg = sym_segment_of(o, (uintptr_t)addr)) < 0)
		return 0;
	if (!*o->name && (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym ||
			  sym->st_shndx == SHN_UNDEF || !info.dli_sname ||
			  strcmp(info.dli_sname, name)))
		return 2;
	if (!seg) {
		hook_refuse(h, REFUSE_NOT_FUNCTION, "'%.100s' is not a function", fn->symbol);
		return sym_refuse(h);
	}
	h->target = addr;
	h->base = o->base;
	h->dynsym_only = 1;
	h->sym_name = name;
	h->path = sym_keep_path(sym_path(o));
	return 1;
}

/* What sym_count learns about the definitions of one name in one file. */
struct sym_count {
	int globals;		/* non-local definitions (.symtab or .dynsym) */
	uint64_t locals[2];	/* the first two distinct addresses of local functions */
	int nlocals;
};

static int sym_count_cb(const struct elf_sym *s, void *arg)
{
	struct sym_count *c = arg;

	if (s->bind != STB_LOCAL)
		c->globals++;
	else if (s->type == STT_FUNC || s->type == STT_GNU_IFUNC)
		if (c->nlocals == 0 || (c->nlocals == 1 && c->locals[0] != s->value))
			c->locals[c->nlocals++] = s->value;
	return 0;
}

static bool sym_is_code(const struct elf_image *img, const struct elf_sym *s)
{
	const struct elf_section *sec;

	if (s->type == STT_FUNC || s->type == STT_GNU_IFUNC)
		return true;
	/* hand-written assembly may leave a function without .type */
	sec = elf_image_section_at(img, s->value);
	return s->type == STT_NOTYPE && sec && (sec->flags & SHF_EXECINSTR);
}

/* Does the loaded object's dynamic string table hold the text every
 * mangled symbol of the C++ function `wanted` holds (cxx_name_hint)? True
 * when it cannot be told. */
static bool sym_dynstr_has(const struct sym_object *o, const char *wanted)
{
	const ElfW(Dyn) *dyn = NULL;
	struct elf_peek_dyn d;
	char hint[216];

	cxx_name_hint(wanted, hint, sizeof hint);
	for (int i = 0; i < o->phnum; i++)
		if (o->phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(o->base + o->phdr[i].p_vaddr);
	if (!*hint || !dyn || !elf_peek_dynamic(dyn, o->base, &d) || !d.strsz)
		return true;
	return memmem(d.strtab, d.strsz, hint, strlen(hint)) != NULL;
}

/*
 * The mangled symbol of a C++ function named demangled (cxx_name.c), from
 * the object's .symtab or .dynsym: 1 found (*mangled, of any length, in
 * the image, which is cached for the process's life), 0 absent, -1
 * refused for good (several overloads answer to the name).
 */
static int sym_cxx_mangled(struct hook *h, struct sym_object *o, const char **mangled)
{
	struct elf_image *img;
	char why[400];
	struct elf_sym s;
	int r;

	/* A stripped object (libc...) is read from its file only when its
	 * loaded string table holds the name: a C++ name costs C libraries nothing. */
	if (!sym_has_symtab(o) && !sym_dynstr_has(o, h->fn->symbol))
		return 0;
	img = elf_image_open(sym_path(o), NULL, 0);
	if (!img || !(r = cxx_name_find(img, h->fn->symbol, &s, why, sizeof why)))
		return 0;
	if (r < 0) {
		hook_refuse(h, REFUSE_AMBIGUOUS, "'%.200s' names several functions in '%.100s': %s; "
			    "add the parameter list of one, as [function %.200s(...)] with the "
			    "types listed", h->fn->symbol, sym_path(o), why, h->fn->symbol);
		return sym_refuse(h);
	}
	*mangled = s.name;
	return 1;
}

/* `name` in o's ELF image, its fact kept for the next process (but an
 * IFUNC's: the implementation chosen may differ): 1 found, 0 absent (or
 * unreadable), -1 refused for good. */
static int sym_in_image(struct hook *h, struct sym_object *o, const char *name, struct sym_fact *f)
{
	const struct function_config *fn = h->fn;
	struct sym_count c = { 0 };
	struct elf_image *img;
	struct elf_sym s;

	*f = (struct sym_fact){ .absent = true };
	if (!(img = elf_image_open(sym_path(o), NULL, 0)))
		return 0;
	if (elf_image_symbol(img, name, fn->version, &s) < 0) {
		if (!config_cxx_name(fn->symbol))
			symcache_put(sym_path(o), elf_image_stat(img), name, fn->version, f);
		return 0;
	}
	if (!sym_is_code(img, &s)) {
		hook_refuse(h, REFUSE_NOT_FUNCTION, "'%.100s' is not a function", fn->symbol);
		return sym_refuse(h);
	}
	/* Two static functions of one name (two source files) and no global
	 * one: which one the config means cannot be known. */
	elf_image_each_symbol(img, name, sym_count_cb, &c);
	if (!c.globals && c.nlocals > 1) {
		hook_refuse(h, REFUSE_AMBIGUOUS, "'%.100s' names several static functions in "
			    "'%.100s'; rename one", fn->symbol, sym_path(o));
		return sym_refuse(h);
	}
	*f = (struct sym_fact){ .value = s.value, .type = s.type, .global = s.bind != STB_LOCAL };
	if (s.type == STT_GNU_IFUNC)	/* sym_in finds the extent of what it chose */
		return 1;
	elf_image_extent(img, s.value, &f->size, &f->cold, &f->cold_size);
	if (!config_cxx_name(fn->symbol))
		symcache_put(sym_path(o), elf_image_stat(img), name, fn->version, f);
	return 1;
}

/*
 * Look `h`'s symbol up in one object's ELF file: 1 found (h->target, path,
 * base set), 0 absent, -1 refused for good (hook_refuse).
 */
static int sym_in(struct hook *h, struct sym_object *o)
{
	const struct function_config *fn = h->fn;
	const char *name = fn->symbol;
	struct sym_fact f;
	struct stat st;
	bool cache;
	void *addr;
	int r;

	if (!sym_object_usable(o))
		return 0;
	if (config_cxx_name(name)) {
		int r = sym_cxx_mangled(h, o, &name);
		if (r <= 0)
			return r;
	}
	/* whatever the prototype says, and with no debug info to tell */
	if (!strncmp(name, "_Z", 2) && cxx_name_check(h, name) < 0)
		return sym_refuse(h);
	if (!sym_has_symtab(o)) {
		int r = sym_in_stripped(h, o, name);
		if (r != 2)
			return r;
	}
	/* what an earlier process learnt of this very file (symcache.h): no
	 * ELF image; C++ names, found by demangling, are not kept */
	cache = !config_cxx_name(fn->symbol) && stat(sym_path(o), &st) == 0;
	if (cache && symcache_get(sym_path(o), &st, name, fn->version, &f)) {
		if (f.absent)
			return 0;
	} else if ((r = sym_in_image(h, o, name, &f)) <= 0) {
		return r;
	}
	addr = (void *)(o->base + f.value);
	/* An IFUNC's symbol is its resolver: ask it which implementation this
	 * CPU gets, as the loader does (on x86-64 resolvers take no arguments). */
	if (f.type == STT_GNU_IFUNC) {
		struct elf_image *img = elf_image_open(sym_path(o), NULL, 0);

		addr = ((void *(*)(void))addr)();
		if (img)
			elf_image_extent(img, (uintptr_t)addr - o->base, &f.size, &f.cold, &f.cold_size);
	}
	h->sym_global = f.global && !strcmp(name, fn->symbol);
	h->extent_size = f.size;
	h->extent_cold = f.cold;
	h->extent_cold_size = f.cold_size;
	h->target = addr;
	h->base = o->base;
	h->sym_name = name;
	h->path = sym_keep_path(sym_path(o));
	return 1;
}

struct sym_exports {
	char *buf;
	size_t cap, len;
	int count;
};

/* Lists .dynsym's functions into buf, as many as fit, ", "-separated. */
static int sym_exports_cb(const struct elf_sym *s, void *arg)
{
	struct sym_exports *e = arg;
	size_t n = strlen(s->name);

	if (!s->dynamic || s->bind == STB_LOCAL ||
	    (s->type != STT_FUNC && s->type != STT_GNU_IFUNC))
		return 0;
	if (e->count++ == 0 || e->len + n + 2 < e->cap - 5) {
		e->len += (size_t)snprintf(e->buf + e->len, e->cap - e->len, "%s%s",
					   e->count > 1 ? ", " : "", s->name);
	} else if (e->len + 5 < e->cap && strcmp(e->buf + e->len - 3, "...")) {
		e->len += (size_t)snprintf(e->buf + e->len, e->cap - e->len, ", ...");
	}
	return 0;
}

/* After "not found": when `o` has no .symtab, say so and list what its
 * .dynsym still offers, in what is left of h->why; the code becomes
 * REFUSE_STRIPPED. */
static void sym_explain_stripped(struct hook *h, struct sym_object *o)
{
	struct elf_image *img = elf_image_open(sym_path(o), NULL, 0);
	size_t used = strlen(h->why);
	char names[256] = "";
	struct sym_exports e = { names, sizeof names, 0, 0 };
	char tail[1024];
	int n;

	if (!img || elf_image_has_symtab(img))
		return;
	elf_image_each_symbol(img, NULL, sym_exports_cb, &e);
	n = snprintf(tail, sizeof tail, "; '%s' is stripped (no .symtab section), so its internal "
		     "functions cannot be found; only the %d function%s it exports remain%s "
		     "reachable (.dynsym%s%s)", sym_path(o), e.count, e.count == 1 ? "" : "s",
		     e.count == 1 ? "s" : "", e.count ? ": " : "", names);
	if (n < 0 || used + 4 >= sizeof h->why)
		return;
	h->refusal = REFUSE_STRIPPED;
	if (used + (size_t)n >= sizeof h->why)	/* cut, and say so */
		memcpy(tail + (sizeof h->why - used - 4), "...", 4);
	memcpy(h->why + used, tail, strlen(tail) + 1);
}

struct sym_clones {
	const char *name;
	size_t len;
	char list[160];
	int count;
};

/* GCC's clones of a function: NAME.constprop.0, NAME.isra.0, NAME.part.0
 * (not the NAME.cold part of a function that exists). */
static int sym_clones_cb(const struct elf_sym *s, void *arg)
{
	struct sym_clones *c = arg;
	size_t used = strlen(c->list);

	if (strncmp(s->name, c->name, c->len) || s->name[c->len] != '.' ||
	    (s->type != STT_FUNC && s->type != STT_GNU_IFUNC) || strstr(s->name + c->len, ".cold"))
		return 0;
	if (c->count++ < 4)
		snprintf(c->list + used, sizeof c->list - used, "%s%s", used ? ", " : "", s->name);
	return 0;
}

/* After "not found": when the compiler kept only clones of the function
 * (constant arguments propagated, arguments removed or split), say so: their
 * arguments are not the source's, so they cannot take its prototype. The
 * code becomes REFUSE_CLONED. */
static void sym_explain_clones(struct hook *h, struct sym_object *o)
{
	struct elf_image *img = elf_image_open(sym_path(o), NULL, 0);
	struct sym_clones c = { .name = h->fn->symbol, .len = strlen(h->fn->symbol) };
	size_t used = strlen(h->why);

	if (!img)
		return;
	elf_image_each_symbol(img, NULL, sym_clones_cb, &c);
	if (!c.count)
		return;
	h->refusal = REFUSE_CLONED;
	snprintf(h->why + used, sizeof h->why - used, "; the compiler kept only clones of "
		 "it, whose arguments differ from the source's (%s%s): mark it "
		 "__attribute__((noipa)) or memoize its caller", c.list, c.count > 4 ? ", ..." : "");
}

struct sym_closest {
	const char *name;
	const char *best;
	int dist;
};

static int sym_closest_cb(const struct elf_sym *s, void *arg)
{
	struct sym_closest *c = arg;
	int d;

	if ((s->type != STT_FUNC && s->type != STT_GNU_IFUNC) || !s->shndx || strchr(s->name, '.'))
		return 0;
	d = config_edit_distance(c->name, s->name);
	if (d < c->dist) {
		c->dist = d;
		c->best = s->name;	/* the image stays open: elf.c keeps it */
	}
	return 0;
}

/* After "not found", when no clone explains it: a function of `o` whose
 * name is within two edits (a typo), or else, in an object with a .symtab,
 * what usually makes a function vanish: inlined into every caller. */
static void sym_explain_missing(struct hook *h, struct sym_object *o)
{
	struct elf_image *img = elf_image_open(sym_path(o), NULL, 0);
	struct sym_closest c = { h->fn->symbol, NULL, 3 };
	size_t used = strlen(h->why);

	if (!img || !elf_image_has_symtab(img) || h->refusal != REFUSE_NOT_FOUND)
		return;
	elf_image_each_symbol(img, NULL, sym_closest_cb, &c);
	if (c.best)
		snprintf(h->why + used, sizeof h->why - used, "; did you mean '%.100s' (in '%.200s')?",
			 c.best, sym_path(o));
	else
		snprintf(h->why + used, sizeof h->why - used, "; '%.200s' has no such function: a "
			 "static one may have been inlined into every caller (mark it "
			 "__attribute__((noinline)), or memoize a caller), or it lives in a library "
			 "loaded later", sym_path(o));
}

/* The walk of loaded objects, kept while no object comes or goes: start-up
 * resolves every configured function against the same list (realpath for
 * each object, and for each `object =` path, once). Written under
 * runtime_lock, like every sym_resolve call. */
static struct sym_walk walk_cache;
static unsigned long long walk_adds = ~0ull, walk_subs = ~0ull;

static int walk_counters_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	unsigned long long *c = arg;

	(void)size;
	c[0] = info->dlpi_adds;
	c[1] = info->dlpi_subs;
	return 1;
}

static struct sym_walk *loaded_objects(void)
{
	unsigned long long c[2] = { 0, 0 };

	dl_iterate_phdr(walk_counters_cb, c);
	if (walk_cache.objs && c[0] == walk_adds && c[1] == walk_subs)
		return &walk_cache;
	for (int i = 0; i < walk_cache.n; i++)
		free(walk_cache.objs[i].path);
	free(walk_cache.objs);
	while (walk_cache.wants) {
		struct sym_want *k = walk_cache.wants;

		walk_cache.wants = k->next;
		free(k->real);
		free(k);
	}
	walk_cache.n = 0;
	walk_cache.cap = 16;	/* grows as the walk needs */
	walk_cache.objs = malloc(walk_cache.cap * sizeof *walk_cache.objs);
	if (!walk_cache.objs)
		return NULL;
	dl_iterate_phdr(sym_walk_cb, &walk_cache);
	walk_adds = c[0];
	walk_subs = c[1];
	return &walk_cache;
}

int sym_resolve(struct hook *h)
{
	const struct function_config *fn = h->fn;
	struct sym_walk *w;
	struct sym_object *named = NULL;
	int i, r = 0;

	if (sym_denied(h))
		return sym_refuse(h);
	w = loaded_objects();
	if (!w)
		return hook_refuse(h, REFUSE_NO_MEMORY, "'%.100s': out of memory", fn->symbol);
	for (i = 0; i < w->n && r == 0; i++) {
		if (*fn->object && !sym_object_matches(w, fn->object, &w->objs[i]))
			continue;
		/* a hook found once stands for that object's copy (sym_copies) */
		if (h->path && h->path[0] && strcmp(h->path, sym_path(&w->objs[i])))
			continue;
		if (!named)
			named = &w->objs[i];
		r = sym_in(h, &w->objs[i]);
	}
	dlerror();	/* a failed lookup must not leave an error for the host's dlerror() */
	if (r == 0) {
		if (*fn->object)
			hook_refuse(h, REFUSE_NOT_FOUND, "symbol '%.100s%s%.60s' not found in '%.80s'",
				    fn->symbol, *fn->version ? "@" : "", fn->version, fn->object);
		else
			hook_refuse(h, REFUSE_NOT_FOUND,
				    "symbol '%.100s%s%.60s' not found in any loaded object",
				    fn->symbol, *fn->version ? "@" : "", fn->version);
		if (named) {
			sym_explain_clones(h, named);
			sym_explain_stripped(h, named);
			sym_explain_missing(h, named);
		}
	}
	return r > 0 ? 0 : -1;
}

/*
 * Does object o export its own definition of h's symbol, as code? Asked of
 * the loader's tables (dlsym on o's handle finds o's own definition first,
 * and only an address inside o counts), so no ELF file is read: a copy
 * another object's callers bind to is always exported.
 */
static bool sym_exports(const struct hook *h, struct sym_object *o)
{
	const struct function_config *fn = h->fn;
	void *handle, *addr;

	if (!*o->name || !sym_object_usable(o) ||
	    !(handle = dlopen(o->name, RTLD_LAZY | RTLD_NOLOAD)))
		return false;
	addr = *fn->version ? dlvsym(handle, fn->symbol, fn->version) : dlsym(handle, fn->symbol);
	dlclose(handle);
	return addr && sym_segment_of(o, (uintptr_t)addr) == 1;
}

/* Is h's definition a global one? A static function of one object is that
 * object's alone: a name another object defines is then another function. */
static bool sym_is_global(const struct hook *h)
{
	return h->dynsym_only || h->sym_global;
}

void sym_copies(const struct hook *h, void (*each)(void *ctx, const char *path), void *ctx)
{
	const struct function_config *fn = h->fn;
	struct sym_walk *w;
	int i;

	if (!sym_is_global(h) || !(w = loaded_objects()))
		return;
	for (i = 0; i < w->n; i++) {
		struct sym_object *o = &w->objs[i];
		if ((*fn->object && !sym_object_matches(w, fn->object, o)) ||
		    !sym_may_define(o, fn->symbol, fn->version) ||
		    !strcmp(sym_path(o), h->path) || !sym_exports(h, o))
			continue;
		each(ctx, sym_path(o));
		/* `each` may dlopen (a hook's activation): the walk is read anew */
		if (!(w = loaded_objects()))
			break;
	}
	dlerror();	/* a failed lookup must not leave an error for the host's dlerror() */
}
