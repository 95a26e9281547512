/*
 * symbols: finds the definition the dynamic linker binds a configured symbol
 * to (sym_resolve of hook.h), and owns libmemo's deny list.
 * Calls dlsym/dlvsym/dlopen(RTLD_NOLOAD)/dladdr1/dl_iterate_phdr and log.
 * Start-up and dlopen only, under hooks_lock; never on the hot path.
 */
#include "hook.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The deny list: every function libmemo itself (or a library it uses) may
 * call. Hooking one would send libmemo's own calls into its call path, which
 * may lock, allocate or recurse without end, so such a symbol is refused by
 * name before anything is looked up, with "'malloc' is used by libmemo itself".
 * Exact names first, then prefixes that cover whole libraries (libffi, libb2,
 * libelf, libdw, libunwind, libinih, libmemcached, Zydis) and libmemo's own
 * exports. Keep it here and only here.
 */
static const char *const deny_names[] = {
	/* memory */
	"malloc", "free", "calloc", "realloc", "reallocarray", "aligned_alloc",
	"posix_memalign", "memalign", "valloc", "pvalloc", "malloc_usable_size",
	"memcpy", "memmove", "memset", "memcmp", "memchr", "mempcpy", "bcmp",
	"mmap", "mmap64", "munmap", "mprotect", "madvise", "mremap",
	/* strings and numbers */
	"strlen", "strnlen", "strcmp", "strncmp", "strcasecmp", "strncasecmp",
	"strchr", "strrchr", "strcpy", "strncpy", "stpcpy", "strcat", "strncat",
	"strdup", "strndup", "strstr", "strspn", "strcspn", "strtok_r",
	"strerror", "strerror_r", "strtol", "strtoul", "strtoll", "strtoull",
	"strtod", "strtof", "atoi", "atol", "qsort", "bsearch",
	"printf", "fprintf", "snprintf", "vsnprintf", "vfprintf", "sprintf",
	"vsprintf", "sscanf", "fputs", "fputc", "puts",
	/* files */
	"open", "open64", "openat", "openat64", "creat", "creat64", "read", "write",
	"pread", "pread64", "pwrite", "pwrite64", "readv", "writev", "close",
	"rename", "renameat", "unlink", "unlinkat", "fstat", "fstat64", "stat",
	"stat64", "lstat", "lstat64", "fstatat", "fstatat64", "statx", "mkdir",
	"mkdirat", "futimens", "utimensat", "fsync", "fdatasync", "ftruncate",
	"lseek", "lseek64", "fcntl", "fcntl64", "ioctl", "access", "faccessat",
	"readlink", "realpath", "opendir", "fdopendir", "readdir", "readdir64",
	"closedir", "fopen", "fopen64", "fdopen", "fclose", "fread", "fwrite",
	"fgets", "fflush", "flock", "getdents64", "dup", "dup2", "pipe", "pipe2",
	/* time, process, environment */
	"clock_gettime", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	"sched_yield", "sysconf", "getpagesize", "getenv", "secure_getenv",
	"setenv", "unsetenv", "__errno_location", "getpid", "gettid", "getuid",
	"fork", "_Fork", "vfork", "execve", "exit", "_exit", "abort", "atexit",
	"__cxa_atexit", "__cxa_finalize", "raise", "kill", "signal", "sigaction",
	"sigprocmask", "sigemptyset", "sigfillset", "syscall", "prctl",
	"getauxval", "__libc_start_main", "__stack_chk_fail", "__tls_get_addr",
	/* sockets (memcached) */
	"socket", "connect", "bind", "listen", "accept", "accept4", "poll",
	"ppoll", "select", "send", "recv", "sendto", "recvfrom", "sendmsg",
	"recvmsg", "setsockopt", "getsockopt", "getsockname", "getpeername",
	"shutdown", "getaddrinfo", "freeaddrinfo", "gai_strerror", "inet_pton",
	"inet_ntop", "htons", "ntohs", "htonl", "ntohl",
	/* the dynamic linker */
	"dlopen", "dlmopen", "dlsym", "dlvsym", "dlclose", "dlerror", "dladdr",
	"dladdr1", "dlinfo", "dl_iterate_phdr",
};

static const char *const deny_prefixes[] = {
	"pthread_", "__pthread", "sem_", "__libc_", "_dl_",
	"ffi_", "blake2", "elf_", "elf32_", "elf64_", "gelf_", "dwarf_", "dwfl_",
	"unw_", "_U", "_ULx86_64", "ini_", "memcached_", "libmemcached_",
	"Zydis", "memo_",
};

/* The reason `name` is refused, written into why; false when it is not. */
static bool sym_denied(const char *name, char *why, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof deny_names / sizeof deny_names[0]; i++)
		if (!strcmp(name, deny_names[i]))
			goto denied;
	for (i = 0; i < sizeof deny_prefixes / sizeof deny_prefixes[0]; i++)
		if (!strncmp(name, deny_prefixes[i], strlen(deny_prefixes[i])))
			goto denied;
	return false;
denied:
	snprintf(why, n, "'%.100s' is used by libmemo itself", name);
	return true;
}

/*
 * Does the object at `path` answer to the config's `object = want`? Its file
 * name, with or without what follows a dot ("libfoo" and "libfoo.so" both
 * match libfoo.so.1), or its full path when `want` has a slash.
 */
static bool sym_object_matches(const char *want, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n = strlen(want);

	if (strchr(want, '/'))
		return !strcmp(want, path);
	base = base ? base + 1 : path;
	return !strncmp(base, want, n) && (base[n] == '\0' || base[n] == '.');
}

/* The main program's file, as the kernel resolved it. */
static void sym_exe_path(char *out, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", out, n - 1);
	out[len > 0 ? len : 0] = '\0';
}

/* One loaded object, as sym_resolve needs it: its file and a handle name. */
struct sym_object {
	char name[PATH_MAX];	/* what dlopen(RTLD_NOLOAD) takes; "" = main */
	char path[PATH_MAX];	/* the ELF file */
};

struct sym_walk {
	struct sym_object *objs;
	int n, cap;
};

/*
 * Collects object names only: no dl* call may run inside dl_iterate_phdr's
 * callback (it holds the loader's list lock).
 */
static int sym_walk_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct sym_walk *w = arg;
	struct sym_object *o;
	const char *name = info->dlpi_name ? info->dlpi_name : "";

	(void)size;
	if (w->n == w->cap)
		return 1;
	/* the vdso has no file; only the first object (the main program) has no name */
	if (w->n > 0 && (!*name || !strncmp(name, "linux-vdso", 10)))
		return 0;
	o = &w->objs[w->n++];
	snprintf(o->name, sizeof o->name, "%s", w->n == 1 ? "" : name);
	if (w->n == 1)
		sym_exe_path(o->path, sizeof o->path);
	else if (!realpath(name, o->path))
		snprintf(o->path, sizeof o->path, "%s", name);
	return 0;
}

/* Is `addr` inside the object whose link map is `lm`? */
static bool sym_in_object(void *addr, const struct link_map *lm)
{
	Dl_info info;
	struct link_map *where = NULL;

	return dladdr1(addr, &info, (void **)&where, RTLD_DL_LINKMAP) && where == lm;
}

/* Look `h`'s symbol up in one object's own definitions. NULL if absent. */
static void *sym_in(const struct hook *h, const struct sym_object *o)
{
	const struct function_config *fn = h->fn;
	struct link_map *lm = NULL;
	void *handle, *addr;

	handle = dlopen(*o->name ? o->name : NULL, RTLD_LAZY | RTLD_NOLOAD);
	if (!handle)
		return NULL;
	addr = *fn->version ? dlvsym(handle, fn->symbol, fn->version)
			    : dlsym(handle, fn->symbol);
	/* a handle searches the object's dependencies too: keep only its own */
	if (addr && (dlinfo(handle, RTLD_DI_LINKMAP, &lm) || !sym_in_object(addr, lm)))
		addr = NULL;
	dlclose(handle);
	return addr;
}

int sym_resolve(struct hook *h)
{
	const struct function_config *fn = h->fn;
	struct sym_walk w = { 0 };
	struct link_map *lm = NULL;
	const ElfW(Sym) *sym = NULL;
	Dl_info info;
	void *addr = NULL;
	int i;

	if (sym_denied(fn->symbol, h->why, sizeof h->why)) {
		/* final: no dlopen can make it safe */
		h->state = HOOK_FAILED;
		return -1;
	}
	if (!*fn->object)
		addr = *fn->version ? dlvsym(RTLD_DEFAULT, fn->symbol, fn->version)
				    : dlsym(RTLD_DEFAULT, fn->symbol);
	if (!addr) {
		/*
		 * Restricted to one object, or not in the global scope: a
		 * library dlopen'ed with RTLD_LOCAL (ctypes does that) is found
		 * only through its own handle. Search objects in load order.
		 */
		w.cap = 512;
		w.objs = calloc(w.cap, sizeof *w.objs);
		if (!w.objs) {
			snprintf(h->why, sizeof h->why, "'%.100s': out of memory", fn->symbol);
			return -1;
		}
		dl_iterate_phdr(sym_walk_cb, &w);
		for (i = 0; i < w.n && !addr; i++)
			if (!*fn->object || sym_object_matches(fn->object, w.objs[i].path))
				addr = sym_in(h, &w.objs[i]);
		free(w.objs);
	}
	dlerror();	/* a failed lookup must not leave an error for the host's dlerror() */
	if (!addr) {
		if (*fn->object)
			snprintf(h->why, sizeof h->why, "symbol '%.100s%s%.60s' not found in '%.80s'",
				 fn->symbol, *fn->version ? "@" : "", fn->version, fn->object);
		else
			snprintf(h->why, sizeof h->why,
				 "symbol '%.100s%s%.60s' not found in any loaded object",
				 fn->symbol, *fn->version ? "@" : "", fn->version);
		return -1;
	}
	if (!dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm) {
		snprintf(h->why, sizeof h->why, "'%.100s': no object contains %p", fn->symbol, addr);
		return -1;
	}
	/* data is not code: a variable of that name cannot be memoized */
	if (dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) && sym &&
	    (void *)(lm->l_addr + sym->st_value) == addr &&
	    ELF64_ST_TYPE(sym->st_info) != STT_FUNC &&
	    ELF64_ST_TYPE(sym->st_info) != STT_GNU_IFUNC) {
		snprintf(h->why, sizeof h->why, "'%.100s' is not a function", fn->symbol);
		h->state = HOOK_FAILED;
		return -1;
	}
	h->target = addr;
	h->base = lm->l_addr;
	if (!*lm->l_name)
		sym_exe_path(h->path, sizeof h->path);
	else if (!realpath(lm->l_name, h->path))
		snprintf(h->path, sizeof h->path, "%s", lm->l_name);
	return 0;
}
