/*
 * memo inspect ELF [SYMBOL]: what libmemo would see of each function of ELF
 * (or only SYMBOL): its size, its code identity and what went into it
 * (callees, constants, imports with the library that provides each), purity
 * warnings (writable globals, thread-locals, calls to I/O or nondeterministic
 * functions), whether it can be entry-patched or why not (inline.c's checks
 * on the file's bytes, nothing installed), and, when ELF has debug info (its
 * own, or a separate debug file), a prototype suggested from DWARF
 * (suggest.c), ready to paste into a config.
 * Calls identity, elf, dwarf, suggest, hook (refusal names), inline, util,
 * libelf, libdl.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "find/cxx_name.h"
#include "find/dwarf.h"
#include "find/elf.h"
#include "find/identity.h"
#include "patch/inline.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/memo.h"
#include "cmd/suggest.h"

/* Functions whose result depends on more than the arguments, or that act on
 * the world: a memoized caller would skip their effect or freeze their value. */
static const char *const impure_calls[] = {
	"printf", "fprintf", "vprintf", "vfprintf", "puts", "fputs", "putchar", "fputc",
	"putc", "fwrite", "fflush", "perror", "write", "read", "fread", "fgets", "getc",
	"fgetc", "scanf", "fscanf", "open", "fopen", "close", "fclose", "send", "recv",
	"rand", "random", "rand_r", "drand48", "erand48", "lrand48", "mrand48", "srand",
	"srandom", "getrandom", "arc4random", "time", "gettimeofday", "clock_gettime",
	"clock", "times", "getpid", "getppid", "gettid", "getenv", "secure_getenv",
	"sleep", "usleep", "nanosleep", "pthread_self", "localtime", "gmtime", "system",
};

static bool is_impure_call(const char *name)
{
	for (size_t i = 0; i < sizeof impure_calls / sizeof impure_calls[0]; i++)
		if (!strcmp(name, impure_calls[i]))
			return true;
	return false;
}

/* A short list of unique strings, printed comma-separated. */
struct list {
	char buf[4096];
	size_t len;
	int n;
};

static bool list_has(const struct list *l, const char *item)
{
	size_t n = strlen(item);
	const char *p = l->buf, *end = l->buf + l->len;

	for (int i = 0; i < l->n && p < end; i++) {
		const char *next = strstr(p, ", ");
		size_t len = next ? (size_t)(next - p) : (size_t)(end - p);
		if (len == n && !memcmp(p, item, n))
			return true;
		if (!next)
			break;
		p = next + 2;
	}
	return false;
}

static void list_add(struct list *l, const char *item)
{
	if (list_has(l, item) || l->len >= sizeof l->buf)
		return;
	l->len += (size_t)snprintf(l->buf + l->len, sizeof l->buf - l->len, "%s%s",
				   l->n++ ? ", " : "", item);
	if (l->len > sizeof l->buf)
		l->len = sizeof l->buf;
}

static const char *list_text(const struct list *l)
{
	return l->n ? l->buf : "(none)";
}

/* ---- what went into the identity ----------------------------------- */

struct parts {
	const struct elf_image *img;
	char *names[64];		/* the function reported at each depth */
	struct list callees, called, constants, imports, writable, tls, io;
};

static void on_part(void *ctx, enum identity_part part, int depth, const char *name,
		    const char *detail)
{
	struct parts *p = ctx;
	char item[700], bare[256], lib[300] = "not loaded here";
	const char *from = depth > 0 && depth < 64 && p->names[depth] ? p->names[depth] : NULL;
	Dl_info di;
	void *sym;
	uint64_t v, sz;
	bool tls;

	switch (part) {
	case IDENTITY_CODE:
		if (depth < 64 && !strstr(name, ".cold")) {
			free(p->names[depth]);
			p->names[depth] = strdup(name);
		}
		return;
	case IDENTITY_CALLEE:
		if (depth == 0)
			snprintf(item, sizeof item, "%s", name);
		else
			snprintf(item, sizeof item, "%s (from %s)", name, from ? from : "?");
		/* each once, where first met (a recursion leads back to one) */
		if (!(p->names[0] && !strcmp(name, p->names[0])) && !list_has(&p->called, name)) {
			list_add(&p->called, name);
			list_add(&p->callees, item);
		}
		return;
	case IDENTITY_RODATA:
		snprintf(item, sizeof item, "%s %s%s%s%s", name, detail, from ? " (in " : "",
			 from ? from : "", from ? ")" : "");
		/* one line per constant: strings keep their text, escaped */
		for (char *c = item; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
		list_add(&p->constants, item);
		return;
	case IDENTITY_IMPORT:
		snprintf(bare, sizeof bare, "%s", name);
		sym = dlsym(RTLD_DEFAULT, bare);
		if (sym && dladdr(sym, &di) && di.dli_fname) {
			const char *slash = strrchr(di.dli_fname, '/');
			snprintf(lib, sizeof lib, "%s", slash ? slash + 1 : di.dli_fname);
		}
		snprintf(item, sizeof item, "%s (%s)", name, lib);
		list_add(&p->imports, item);
		if (is_impure_call(bare)) {
			if (from)
				snprintf(item, sizeof item, "%s (in %s)", bare, from);
			list_add(&p->io, from ? item : bare);
		}
		return;
	case IDENTITY_WRITABLE:
		if (!elf_image_global(p->img, name, &v, &sz, &tls) && tls)
			list_add(&p->tls, name);
		else
			list_add(&p->writable, name);
		return;
	default:
		return;
	}
}

/* A suggested [function SECTION] section, from the debug info's
 * description: `prototype = ... SYMBOL(...)`. */
static void print_suggestion(struct dwarf_func *d, const char *section, const char *symbol)
{
	struct suggestion sg;

	suggest(d, symbol, &sg);
	printf("  prototype, suggested from DWARF:\n");
	if (*sg.bad)
		printf("    ; cannot be memoized as it is: %s\n", sg.bad);
	printf("    [function %s]\n", section);
	if (*sg.notes) {	/* on one line here */
		fputs("    ; check: ", stdout);
		for (const char *c = sg.notes; *c; c++)
			if (*c == '\n')
				fputs("; ", stdout);
			else
				putchar(*c);
		fputs("\n", stdout);
	}
	printf("    prototype = %s\n", sg.prototype);
	if (sg.returns_string)
		printf("    return = malloc   ; or static: how the caller treats the string\n");
	suggest_release(&sg);
}

/* ---- the ELF file ---------------------------------------------------- */

struct func {
	char *name;
	uint64_t addr, size;
};

static int by_addr(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The defined functions of the file (.symtab, else .dynsym), by address;
 * and, so that imports resolve to the libraries the program would use, its
 * DT_NEEDED libraries are loaded into this process. */
static int read_file(const char *path, const char *only, struct func **out, int *nout)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0, cap = 0;
	Elf *e;
	Elf_Scn *scn = NULL, *syms = NULL;
	struct func *fs = NULL;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !syms))
			syms = scn;
		if (sh.sh_type == SHT_DYNAMIC) {
			Elf_Data *d = elf_getdata(scn, NULL);
			GElf_Dyn dyn;
			for (int i = 0; d && gelf_getdyn(d, i, &dyn); i++)
				if (dyn.d_tag == DT_NEEDED) {
					const char *lib = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
					if (lib && !dlopen(lib, RTLD_LAZY | RTLD_GLOBAL))
						fprintf(stderr, "memo: '%s' needs '%s', which cannot be loaded "
							"here: its imports show as not loaded\n", path, lib);
				}
		}
	}
	if (syms) {
		GElf_Shdr sh;
		Elf_Data *d = elf_getdata(syms, NULL);
		gelf_getshdr(syms, &sh);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *name;
			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_shndx == SHN_UNDEF || !s.st_size ||
			    !(name = elf_strptr(e, sh.sh_link, s.st_name)) || !*name ||
			    strstr(name, ".cold") ||
			    (only && strcmp(name, only) && !(config_cxx_name(only) && cxx_name_matches(name, only))))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				fs = realloc(fs, (size_t)cap * sizeof *fs);
				if (!fs)
					break;
			}
			fs[n++] = (struct func){ strdup(name), s.st_value, s.st_size };
		}
	}
	elf_end(e);
	close(fd);
	if (fs)
		qsort(fs, (size_t)n, sizeof *fs, by_addr);
	*out = fs;
	*nout = fs ? n : 0;
	return 0;
}

static void inspect_one(const char *path, struct elf_image *img, const struct func *f)
{
	static struct dwarf_func d;
	char *section, *fname;	/* C++: allocated, of any length */
	struct parts p = { .img = img };
	uint8_t id[32];
	char why[256], idhex[2 * sizeof id + 1];
	static struct hook h;
	size_t avail;
	const uint8_t *code;

	printf("%s: %llu bytes at %#llx\n", f->name, (unsigned long long)f->size,
	       (unsigned long long)f->addr);
	if (identity_of(path, f->addr, id, on_part, &p, why, sizeof why) < 0) {
		printf("  identity: cannot be computed [%s]: %s\n",
		       hook_refusal_name(REFUSE_NO_IDENTITY), why);
	} else {
		util_hex(idhex, id, sizeof id);
		printf("  identity: %s\n  callees: %s\n  constants: %s\n  imports: %s\n", idhex,
		       list_text(&p.callees), list_text(&p.constants), list_text(&p.imports));
		if (!p.writable.n && !p.tls.n && !p.io.n)
			printf("  purity: no warning\n");
		if (p.writable.n)
			printf("  purity warning: reads or writes writable globals: %s (list them in "
			       "'globals =' to key on their values)\n", p.writable.buf);
		if (p.tls.n)
			printf("  purity warning: uses thread-local variables: %s\n", p.tls.buf);
		if (p.io.n)
			printf("  purity warning: calls I/O or nondeterministic functions: %s (a hit "
			       "skips their effect)\n", p.io.buf);
	}
	for (int i = 0; i < 64; i++)
		free(p.names[i]);

	/* inline.c's checks on the file's bytes: h->target points at them. */
	memset(&h, 0, sizeof h);
	h.path = path;
	code = elf_image_bytes(img, f->addr, &avail);
	if (!code || avail < f->size) {
		printf("  entry patch: no: its bytes are not in the file\n");
	} else {
		h.target = (void *)code;
		h.base = (uintptr_t)code - f->addr;
		elf_image_extent(img, f->addr, &h.extent_size, &h.extent_cold,
				 &h.extent_cold_size);
		if (inline_check(&h) == 0)
			printf("  entry patch: yes\n");
		else
			printf("  entry patch: no [%s]: %s (only calls through GOT slots can be "
			       "memoized)\n", hook_refusal_name(h.refusal), h.why);
	}

	switch (memo_dwarf_describe(path, f->addr, &d, why, sizeof why)) {
	case 1:
		if (cxx_name_section(img, f->name, &section, &fname)) {
			print_suggestion(&d, section, fname);
			free(section);
			free(fname);
		} else {
			print_suggestion(&d, f->name, f->name);
		}
		break;
	case 0:
		if (d.debug_file[0])	/* why: not described, or a Fortran function */
			printf("  prototype: %s%s\n", why, strstr(why, "Fortran") ?
			       "; write it as README \"Fortran, C++ and structs\" shows" : "");
		else
			printf("  prototype: no DWARF debug info (build with -g to get a suggestion)\n");
		break;
	default:
		printf("  prototype: %s\n", why);
	}
}

const struct cmd_spec cmd_inspect_spec = {
	"inspect", "ELF [SYMBOL]",
	"For SYMBOL, or every function of ELF (a program or library): its code\n"
	"identity, what it reads that is not an argument, whether its entry can\n"
	"be patched, and a prototype to paste into a config when ELF was built\n"
	"with -g (debug info).\n",
	.min_pos = 1, .max_pos = 2,
};

int cmd_inspect(const struct cmd_args *a)
{
	struct elf_image *img;
	struct func *fs = NULL;
	int n = 0, argc = a->npos;
	const char *const *argv = a->pos;
	char why[256];

	log_init();
	img = elf_image_open(argv[0], why, sizeof why);
	if (!img || read_file(argv[0], argc > 1 ? argv[1] : NULL, &fs, &n) < 0) {
		fprintf(stderr, "memo: cannot read '%s': %s\n", argv[0], img ? "not an ELF file" : why);
		return 1;
	}
	if (!n) {
		if (argc > 1)
			fprintf(stderr, "memo: '%s': no function '%s'%s\n", argv[0], argv[1],
				elf_image_has_symtab(img) ? "" : " (the file is stripped: only exported "
				"functions are listed)");
		else
			fprintf(stderr, "memo: '%s': no functions\n", argv[0]);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (i)
			printf("\n");
		inspect_one(argv[0], img, &fs[i]);
		free(fs[i].name);
	}
	free(fs);
	return 0;
}
