/*
 * memo inspect ELF [SYMBOL]: what libmemo would see of each function of ELF
 * (or only SYMBOL): its size, its code identity and what went into it
 * (callees, constants, imports with the library that provides each), purity
 * warnings (writable globals, thread-locals, calls to I/O or nondeterministic
 * functions), whether it can be entry-patched or why not (inline.c's checks
 * on the file's bytes, nothing installed), and, when ELF has debug info, a
 * prototype suggested from DWARF (libdw), ready to paste into a config.
 * Calls identity, elf, hook (refusal names), inline, util, libelf, libdw, libdl.
 */
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "find/elf.h"
#include "find/identity.h"
#include "patch/inline.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/memo.h"

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

/* ---- a prototype from DWARF ----------------------------------------- */

struct ctype {
	bool ok;		/* expressible in the prototype language */
	bool pointer, pointee_const, is_void, is_char, is_int;
	char base[64];		/* the (pointed-to) type's C spelling */
	char why[128];		/* !ok: why not */
};

static bool die_type(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, out);
}

/* Typedefs that say more than their base type and that proto.c knows. */
static bool known_typedef(const char *n)
{
	static const char *const known[] = {
		"size_t", "ssize_t", "ptrdiff_t", "int8_t", "int16_t", "int32_t", "int64_t",
		"uint8_t", "uint16_t", "uint32_t", "uint64_t", "intptr_t", "uintptr_t",
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(n, known[i]))
			return true;
	return false;
}

/* Describe a scalar type (after qualifiers): into t->base. */
static void scalar_of(Dwarf_Die *d, struct ctype *t, bool *is_const)
{
	Dwarf_Die next;
	const char *name;

	for (int guard = 0; guard < 16; guard++) {
		int tag = dwarf_tag(d);
		if (tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
		    tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type) {
			if (tag == DW_TAG_const_type && is_const)
				*is_const = true;
			if (!die_type(d, &next)) {
				t->is_void = true;	/* const void */
				snprintf(t->base, sizeof t->base, "void");
				t->ok = true;
				return;
			}
			*d = next;
			continue;
		}
		if (tag == DW_TAG_typedef) {
			name = dwarf_diename(d);
			if (name && known_typedef(name)) {
				snprintf(t->base, sizeof t->base, "%s", name);
				t->is_int = true;
				t->ok = true;
				return;
			}
			if (!die_type(d, &next))
				break;
			*d = next;
			continue;
		}
		if (tag == DW_TAG_base_type) {
			Dwarf_Attribute a;
			Dwarf_Word enc = 0;
			name = dwarf_diename(d);
			if (dwarf_attr_integrate(d, DW_AT_encoding, &a))
				dwarf_formudata(&a, &enc);
			if (!name || enc == DW_ATE_complex_float || dwarf_bytesize(d) > 16 ||
			    (enc != DW_ATE_float && dwarf_bytesize(d) > 8)) {
				snprintf(t->why, sizeof t->why, "type '%s' is not supported",
					 name ? name : "?");
				return;
			}
			snprintf(t->base, sizeof t->base, "%s", name);
			t->is_char = enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
			t->is_int = enc != DW_ATE_float;
			t->ok = true;
			return;
		}
		if (tag == DW_TAG_enumeration_type) {
			snprintf(t->base, sizeof t->base, dwarf_bytesize(d) == 8 ? "long" : "int");
			t->is_int = true;
			t->ok = true;
			return;
		}
		name = dwarf_diename(d);
		snprintf(t->why, sizeof t->why, "%s%s%s is not supported",
			 tag == DW_TAG_structure_type ? "struct " : tag == DW_TAG_union_type ?
			 "union " : tag == DW_TAG_pointer_type ? "a pointer to pointers" : "its type",
			 name && tag != DW_TAG_pointer_type ? name : "",
			 tag == DW_TAG_structure_type || tag == DW_TAG_union_type ? " (by value or pointed to)" : "");
		return;
	}
	snprintf(t->why, sizeof t->why, "its type cannot be read");
}

/* The C type of a DIE's DW_AT_type (absent: void). */
static void ctype_of(Dwarf_Die *die, struct ctype *t)
{
	Dwarf_Die d, next;

	memset(t, 0, sizeof *t);
	if (!die_type(die, &d)) {
		t->ok = t->is_void = true;
		snprintf(t->base, sizeof t->base, "void");
		return;
	}
	/* qualifiers on the argument itself (`double *const p`) do not matter */
	while ((dwarf_tag(&d) == DW_TAG_const_type || dwarf_tag(&d) == DW_TAG_volatile_type ||
		dwarf_tag(&d) == DW_TAG_restrict_type) && die_type(&d, &next))
		d = next;
	while (dwarf_tag(&d) == DW_TAG_typedef && !known_typedef(dwarf_diename(&d) ? dwarf_diename(&d) : "") &&
	       die_type(&d, &next) && (dwarf_tag(&next) == DW_TAG_pointer_type || dwarf_tag(&next) == DW_TAG_typedef))
		d = next;
	if (dwarf_tag(&d) == DW_TAG_pointer_type) {
		t->pointer = true;
		if (!die_type(&d, &next)) {
			t->ok = t->is_void = true;	/* void * */
			snprintf(t->base, sizeof t->base, "void");
			return;
		}
		d = next;
		scalar_of(&d, t, &t->pointee_const);
		return;
	}
	scalar_of(&d, t, NULL);
}

/* The integer parameter most likely to be an array length. */
static const char *guess_length(char names[][64], struct ctype *types, int n)
{
	static const char *const usual[] = { "n", "len", "length", "count", "size", "num",
					     "nelem", "nmemb", "nitems", "m", "k" };
	for (size_t u = 0; u < sizeof usual / sizeof usual[0]; u++)
		for (int i = 0; i < n; i++)
			if (!types[i].pointer && types[i].is_int && !strcmp(names[i], usual[u]))
				return names[i];
	for (int i = 0; i < n; i++)
		if (!types[i].pointer && types[i].is_int)
			return names[i];
	return "1";
}

static bool looks_out(const char *name)
{
	return strstr(name, "out") || strstr(name, "res") || strstr(name, "dst") ||
	       strstr(name, "dest") || !strcmp(name, "y");
}

/* Print a suggested [function] section for the subprogram DIE fn. */
static void suggest(Dwarf_Die *fn, const char *symbol)
{
	struct ctype ret, types[PROTO_MAX_ARGS];
	char names[PROTO_MAX_ARGS][64], line[2048], notes[1024] = "", bad[512] = "";
	size_t used = 0, nused = 0;
	Dwarf_Die c;
	int n = 0;
	const char *len;

	ctype_of(fn, &ret);
	if (dwarf_child(fn, &c) == 0) {
		do {
			if (dwarf_tag(&c) != DW_TAG_formal_parameter || n == PROTO_MAX_ARGS)
				continue;
			const char *nm = dwarf_diename(&c);
			snprintf(names[n], sizeof names[n], "%s", nm ? nm : "");
			if (!nm)
				snprintf(names[n], sizeof names[n], "arg%d", n + 1);
			ctype_of(&c, &types[n]);
			n++;
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	len = guess_length(names, types, n);

	used += (size_t)snprintf(line + used, sizeof line - used, "prototype = ");
	if (!ret.ok)
		nused += (size_t)snprintf(bad + nused, sizeof bad - nused, "%sthe return value: %s",
					  nused ? "; " : "", ret.why);
	if (ret.pointer && !(ret.is_char))
		nused += (size_t)snprintf(bad + nused, sizeof bad - nused, "%sit returns a pointer "
					  "(only strings and 'return = argument' can be cached)",
					  nused ? "; " : "");
	used += (size_t)snprintf(line + used, sizeof line - used, "%s%s%s%s(", ret.pointee_const ? "const " : "",
				 ret.base, ret.pointer ? " *" : " ", symbol);
	if (!n)
		used += (size_t)snprintf(line + used, sizeof line - used, "void");
	for (int i = 0; i < n && used < sizeof line; i++) {
		struct ctype *t = &types[i];
		const char *sep = i ? ", " : "";
		size_t nn = strlen(notes);
		if (!t->ok) {
			nused += (size_t)snprintf(bad + nused, sizeof bad - nused, "%s'%.63s': %s",
						  nused ? "; " : "", names[i], t->why);
			used += (size_t)snprintf(line + used, sizeof line - used, "%sopaque void *%s", sep, names[i]);
		} else if (!t->pointer) {
			used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %s", sep, t->base, names[i]);
		} else if (t->pointee_const && t->is_char) {
			used += (size_t)snprintf(line + used, sizeof line - used, "%sconst char *%s", sep, names[i]);
			snprintf(notes + nn, sizeof notes - nn, "%s'%.63s' read as a NUL-terminated string",
				 nn ? "; " : "", names[i]);
		} else if (t->pointee_const) {
			used += (size_t)snprintf(line + used, sizeof line - used, "%sconst %s %s[%s]", sep,
						 t->base, names[i], len);
			snprintf(notes + nn, sizeof notes - nn, "%s'%.63s' has %.63s elements (guessed)",
				 nn ? "; " : "", names[i], len);
		} else if (t->is_void) {
			used += (size_t)snprintf(line + used, sizeof line - used, "%sopaque void *%s", sep, names[i]);
			snprintf(notes + nn, sizeof notes - nn, "%s'%.63s' is not hashed: declare its bytes "
				 "if they matter", nn ? "; " : "", names[i]);
		} else {
			const char *kind = looks_out(names[i]) ? "out" : "inout";
			used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %s %s[%s]", sep, kind,
						 t->base, names[i], len);
			snprintf(notes + nn, sizeof notes - nn, "%s'%.63s' is written: %s with %.63s elements "
				 "(guessed; 'out' if its contents are not read)", nn ? "; " : "",
				 names[i], kind, len);
		}
	}
	snprintf(line + used, sizeof line - used, ")");
	printf("  prototype, suggested from DWARF:\n");
	if (*bad)
		printf("    ; cannot be memoized as it is: %s\n", bad);
	printf("    [function %s]\n", symbol);
	if (*notes)
		printf("    ; check: %s\n", notes);
	printf("    %s\n", line);
	if (ret.pointer && ret.is_char)
		printf("    return = malloc   ; or static: how the caller treats the string\n");
}

/* The subprogram DIE named `symbol` that is a definition. */
static bool find_subprogram(Dwarf *dw, const char *symbol, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				const char *n;
				if (dwarf_tag(&d) == DW_TAG_subprogram &&
				    !dwarf_hasattr(&d, DW_AT_declaration) &&
				    (n = dwarf_diename(&d)) && !strcmp(n, symbol)) {
					*out = d;
					return true;
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	return false;
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
			    strstr(name, ".cold") || (only && strcmp(name, only)))
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

static void inspect_one(const char *path, struct elf_image *img, const struct func *f, Dwarf *dw)
{
	struct parts p = { .img = img };
	uint8_t id[32];
	char why[256], idhex[2 * sizeof id + 1];
	static struct hook h;
	size_t avail;
	const uint8_t *code;
	Dwarf_Die sub;

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
	snprintf(h.path, sizeof h.path, "%s", path);
	code = elf_image_bytes(img, f->addr, &avail);
	if (!code || avail < f->size) {
		printf("  entry patch: no: its bytes are not in the file\n");
	} else {
		h.target = (void *)code;
		h.base = (uintptr_t)code - f->addr;
		if (inline_check(&h) == 0)
			printf("  entry patch: yes\n");
		else
			printf("  entry patch: no [%s]: %s (only calls through GOT slots can be "
			       "memoized)\n", hook_refusal_name(h.refusal), h.why);
	}

	if (!dw)
		printf("  prototype: no DWARF debug info (build with -g to get a suggestion)\n");
	else if (!find_subprogram(dw, f->name, &sub))
		printf("  prototype: not described in the debug info\n");
	else
		suggest(&sub, f->name);
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
	int n = 0, fd, argc = a->npos;
	const char *const *argv = a->pos;
	char why[256];
	Dwarf *dw = NULL;

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
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dw = dwarf_begin(fd, DWARF_C_READ);
	for (int i = 0; i < n; i++) {
		if (i)
			printf("\n");
		inspect_one(argv[0], img, &fs[i], dw);
		free(fs[i].name);
	}
	free(fs);
	if (dw)
		dwarf_end(dw);
	if (fd >= 0)
		close(fd);
	return 0;
}
