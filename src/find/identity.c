/*
 * identity: the code identity of a function (README.md "How it works"),
 * from its ELF file: decoded instructions with displacements normalized, the
 * read-only data they reference, same-object callees transitively, imports by
 * name@version and provider (provider.c). Calls elf, provider, hook
 * (hook_refuse), Zydis, libb2, log, util.
 * Start-up and tools only; identity_lock serializes it (a dlopen may run it
 * while the host's threads run); never on the hot path.
 *
 * How each reference is hashed (never as a raw displacement or address, so
 * that code or data added elsewhere, which shifts addresses, changes nothing):
 *  - a branch inside the function (or its NAME.cold part): its offset there;
 *  - a call, jump or address of another function of the object: its position
 *    in the function's callee list, and that callee's identity is hashed in;
 *    a callee already on the DFS stack (recursion) as its distance up it;
 *  - a .plt/.plt.sec/.plt.got stub or a GOT slot of an imported function:
 *    "name@version" and what provides it now (provider.c: the object's
 *    build-id or content, and the IFUNC implementations selected in it);
 *  - read-only data: a symbol (static const table, switch table) holding the
 *    address: all its bytes; else a load of N bytes: those N bytes; else an
 *    address taken (lea, or an absolute immediate in a non-PIE executable):
 *    a jump table if its entries land in the function (entries hashed as
 *    function offsets), a printable string up to its NUL, otherwise up to the
 *    next symbol or the section end, at most BLOB_MAX bytes;
 *  - an address stored in that data (a vtable's or a const table's function
 *    pointers, a table of strings): as a reference from code would be, so a
 *    function pointer is a callee and a string pointer its string. In a PIE
 *    or a library such a word has a relocation; in a non-PIE executable the
 *    table holds the absolute address with none, and a word is taken for one
 *    where it starts a function or a PLT stub, or lands in data (exec_address).
 *    Followed NEST_MAX tables deep, then named;
 *  - C++ typeinfo (_ZTI*): by name. A shared object reaches its own vtables
 *    and typeinfo by symbol (GOT slots, relocated words), as they may be
 *    interposed: they are hashed as its data all the same, as its own
 *    functions called through the PLT are its code;
 *  - writable data, .bss, TLS, imported data: by name only, and recorded for
 *    the purity warning: their contents are run-time state, not code. But a
 *    C++ object there is also hashed by the vtables it points to, and one
 *    that is nothing but vtable pointers (a const object GCC put in .data for
 *    its destructor) is no state: not recorded.
 */
#include "find/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Zydis/Zydis.h>

#include "find/elf.h"
#include "find/provider.h"
#include "base/log.h"
#include "base/util.h"
#include "base/b2.h"

#define BLOB_MAX 256		/* unlabelled, non-string, non-table data */
#define STRING_MAX 4096
#define TABLE_MAX 4096		/* jump table entries */
#define SYMDATA_MAX (1u << 20)	/* a labelled constant table */
#define FUNC_MAX (4u << 20)
#define NEST_MAX 4		/* tables of pointers followed this deep */
#define OBJECT_MAX 4096		/* a writable object searched for vtable pointers */
#define DEPTH_MAX 1024		/* call-graph DFS (about 300 bytes of stack a level) */

/* A small set of strings, in insertion order. */
struct strlist {
	char **v;
	size_t n;
};

static void strlist_add(struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return;
	char **p = realloc(l->v, (l->n + 1) * sizeof *p);
	if (!p)
		return;
	l->v = p;
	if ((p[l->n] = strdup(s)))
		l->n++;
}

/* One function of one image: its local analysis and, once known, identity. */
struct fn {
	struct fn *hnext;
	const struct elf_image *img;
	uint64_t start, size;		/* the symbol */
	uint64_t cold, cold_size;	/* its NAME.cold part; size 0 = none */
	char *name;
	bool analyzed;
	bool failed;
	uint8_t local[32];		/* own code, data and imports */
	struct fn **callees;		/* in order of first reference */
	size_t ncallees, ccap;
	struct strlist globals;		/* writable data / TLS read, by name */
	struct strlist imports;		/* "name@version provider" (provider_id) */
	bool ident_done;		/* ident valid for any caller */
	bool cached;			/* read from or written to the cache */
	uint8_t ident[32];
	int depth;			/* on the DFS stack at this depth; -1 = not */
	unsigned stamp;			/* traversal mark */
};

/* Everything below is written and read under identity_lock only.
 * The lock and the head of cache_dir are written by every start-up that
 * finds a function, and --sort-section=alignment (Makefile) places them
 * on pages start-up writes anyway, not each on a page of its own between
 * the large buffers (a page fault each): the lock aligned as its type asks
 * (GCC gives a static of 32 bytes or more 32), with the small statics;
 * cache_dir to 64, first in .bss, on the page .data ends in. */
static pthread_mutex_t identity_lock __attribute__((aligned(8))) = PTHREAD_MUTEX_INITIALIZER;
#define NBUCKETS 1024
static struct fn *fn_table[NBUCKETS];
static unsigned fn_stamp;
static char cache_dir[PATH_MAX] __attribute__((aligned(64)));

/* One local analysis in progress. */
struct an {
	struct fn *f;
	const struct elf_image *img;
	blake2b_state st;
	identity_visit_fn *visit;	/* set: a reporting run, results discarded */
	void *vctx;
	int vdepth;
	int nest;			/* reference recursion through relocations */
	char why[256];
	/* identity_parts: the function's own parts hashed apart, by kind, for
	 * explain.c to say which one changed (see put). */
	bool digests;
	blake2b_state part[3];
};

enum { PART_CODE, PART_DATA, PART_STRINGS };

static int why_fmt(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_fmt(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static void report(struct an *a, enum identity_part part, const char *name,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void report(struct an *a, enum identity_part part, const char *name,
		   const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	if (!a->visit)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	a->visit(a->vctx, part, a->vdepth, name, detail);
}

static void upd(blake2b_state *st, const void *p, size_t n)
{
	b2_update(st, (const uint8_t *)p, n);
}

/* A framed item: tag, length, bytes (so no two sequences hash alike). */
static void put(struct an *a, char tag, const void *p, size_t n)
{
	uint32_t n32 = (uint32_t)n;

	upd(&a->st, &tag, 1);
	upd(&a->st, &n32, sizeof n32);
	if (n)
		upd(&a->st, p, n);
	if (a->digests && tag != 'i') {
		/* Constant bytes and strings apart from everything else, which
		 * is code (instructions, branch offsets, callees by position,
		 * globals by name). Imports are reported by name instead. */
		blake2b_state *d = &a->part[tag == 'd' ? PART_DATA : tag == 's' ? PART_STRINGS : PART_CODE];
		upd(d, &tag, 1);
		upd(d, &n32, sizeof n32);
		if (n)
			upd(d, p, n);
	}
}

static void put_u64(struct an *a, char tag, uint64_t v) { put(a, tag, &v, sizeof v); }
static void put_str(struct an *a, char tag, const char *s) { put(a, tag, s, strlen(s)); }

static struct fn *fn_lookup(const struct elf_image *img, uint64_t start)
{
	size_t b = (((uintptr_t)img >> 4) ^ start ^ (start >> 12)) % NBUCKETS;

	for (struct fn *f = fn_table[b]; f; f = f->hnext)
		if (f->img == img && f->start == start)
			return f;
	return NULL;
}

/* The function whose symbol starts at `start` (created on first use). */
static struct fn *fn_get(const struct elf_image *img, const struct elf_sym *sym)
{
	struct fn *f = fn_lookup(img, sym->value);
	size_t b = (((uintptr_t)img >> 4) ^ sym->value ^ (sym->value >> 12)) % NBUCKETS;

	if (f)
		return f;
	f = calloc(1, sizeof *f);
	if (!f || !(f->name = strdup(sym->name))) {
		free(f);
		return NULL;
	}
	f->img = img;
	f->start = sym->value;
	f->size = sym->size;
	f->depth = -1;
	if (!f->size) {
		/* Hand-written code often has no st_size: up to the next symbol. */
		size_t avail;
		uint64_t next = elf_image_next_symbol(img, f->start);
		if (elf_image_bytes(img, f->start, &avail))
			f->size = next - f->start < avail ? next - f->start : avail;
	}
	if (f->size > FUNC_MAX)
		f->size = FUNC_MAX;
	f->hnext = fn_table[b];
	fn_table[b] = f;
	return f;
}

static bool in_fn(const struct fn *f, uint64_t v, char *tag, uint64_t *off)
{
	if (v >= f->start && v - f->start < f->size) {
		*tag = 'h';
		*off = v - f->start;
		return true;
	}
	if (f->cold_size && v >= f->cold && v - f->cold < f->cold_size) {
		*tag = 'c';
		*off = v - f->cold;
		return true;
	}
	return false;
}

static void add_global(struct an *a, const char *name)
{
	report(a, IDENTITY_WRITABLE, name, "read or written; not part of the identity");
	if (!a->visit)
		strlist_add(&a->f->globals, name);
}

static void add_callee(struct an *a, const struct elf_sym *sym, uint64_t target)
{
	struct fn *c = fn_get(a->img, sym);
	size_t i;

	if (!c) {
		put_str(a, 'F', sym->name);
		return;
	}
	for (i = 0; i < a->f->ncallees; i++)
		if (a->f->callees[i] == c)
			break;
	if (i == a->f->ncallees && !a->visit) {
		if (a->f->ncallees == a->f->ccap) {
			size_t n = a->f->ccap ? 2 * a->f->ccap : 8;
			struct fn **p = realloc(a->f->callees, n * sizeof *p);
			if (!p) {
				put_str(a, 'F', sym->name);
				return;
			}
			a->f->callees = p;
			a->f->ccap = n;
		}
		a->f->callees[a->f->ncallees++] = c;
	}
	put_u64(a, 'f', i);
	put_u64(a, 'o', target - sym->value);
}

static void ref_data(struct an *a, uint64_t addr, size_t size);

static void ref_import(struct an *a, const struct elf_sym *s)
{
	char id[256], full[512];

	if (s->shndx != SHN_UNDEF && (s->type == STT_FUNC || s->type == STT_GNU_IFUNC)) {
		/* Our own exported function, called through the PLT: it is code
		 * of this object (interposing it is outside what we key on). */
		put_str(a, 'n', s->name);
		add_callee(a, s, s->value);
		return;
	}
	if (s->type == STT_OBJECT || s->type == STT_TLS || s->type == STT_COMMON) {
		put_str(a, 'w', s->name);
		add_global(a, s->name);
		return;
	}
	provider_id(s->name, s->version, id, sizeof id);
	snprintf(full, sizeof full, "%s@%s %s", s->name, s->version, id);
	put_str(a, 'i', full);
	report(a, IDENTITY_IMPORT, s->name, "%s", full);
	if (!a->visit)
		strlist_add(&a->f->imports, full);
}

/* A GOT slot (or any relocated word): what the dynamic linker puts there. */
static void ref_slot(struct an *a, uint64_t slot)
{
	const struct elf_reloc *r = elf_image_reloc_at(a->img, slot);
	uint64_t v;

	if (!r) {
		/* Resolved at link time (non-PIE): the slot holds the address. */
		if (!elf_image_read(a->img, slot, &v, sizeof v) && v &&
		    elf_image_section_at(a->img, v)) {
			ref_data(a, v, 0);
			return;
		}
		put_str(a, '?', "slot");
		return;
	}
	switch (r->type) {
	case R_X86_64_TPOFF64:
	case R_X86_64_DTPMOD64:
	case R_X86_64_DTPOFF64:
		put_str(a, 't', r->sym ? r->sym->name : "");
		add_global(a, r->sym && *r->sym->name ? r->sym->name : "a thread-local variable");
		return;
	case R_X86_64_RELATIVE:
	case R_X86_64_IRELATIVE:
		ref_data(a, (uint64_t)r->addend, 0);
		return;
	default:
		if (r->sym)
			ref_import(a, r->sym);
		else
			put_u64(a, '?', r->type);
	}
}

/* A PLT stub: the GOT slot its indirect jump goes through. */
static void ref_plt(struct an *a, uint64_t stub)
{
	ZydisDecoder dec;
	size_t avail;
	const uint8_t *p = elf_image_bytes(a->img, stub, &avail);
	uint64_t off = 0;

	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	for (int k = 0; p && k < 4 && off < avail && off < 32; k++) {
		ZydisDecodedInstruction in;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, p + off, avail - off, &in, ops)))
			break;
		if (in.mnemonic == ZYDIS_MNEMONIC_JMP && ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY &&
		    ops[0].mem.base == ZYDIS_REGISTER_RIP) {
			ref_slot(a, stub + off + in.length + (uint64_t)ops[0].mem.disp.value);
			return;
		}
		off += in.length;
	}
	put_str(a, '?', "plt");
}

/* A branch, call or address whose target is code outside the function. */
static void ref_code(struct an *a, uint64_t target)
{
	const struct elf_section *sec = elf_image_section_at(a->img, target);
	struct elf_sym sym;

	if (sec && !strncmp(sec->name, ".plt", 4)) {
		ref_plt(a, target);
		return;
	}
	if (!elf_image_symbol_at(a->img, target, &sym) &&
	    (sym.type == STT_FUNC || sym.type == STT_GNU_IFUNC || sym.type == STT_NOTYPE)) {
		report(a, IDENTITY_CALLEE, sym.name, "+0x%llx",
		       (unsigned long long)(target - sym.value));
		add_callee(a, &sym, target);
		return;
	}
	/* Code with no symbol (a stripped object): its extent is unknown, so
	 * the whole object stands in for it, by build-id (else its section's
	 * bytes). Never stale; invalidated by any rebuild of that object. */
	size_t len, avail;
	const uint8_t *id = elf_image_build_id(a->img, &len);
	const uint8_t *p = sec ? elf_image_bytes(a->img, sec->addr, &avail) : NULL;
	put_str(a, 'x', sec ? sec->name : "?");
	if (id)
		put(a, 'B', id, len);
	else if (p)
		put(a, 'b', p, avail);
	report(a, IDENTITY_CALLEE, "(unnamed code)", "0x%llx: the object's %s stands in for it",
	       (unsigned long long)target, id ? "build-id" : "code");
}

static bool is_typeinfo(const char *name) { return !strncmp(name, "_ZTI", 4); }
static bool is_vtable(const char *name) { return !strncmp(name, "_ZTV", 4); }

/* Read-only after relocation (RELRO): as constant as .rodata to the code. */
static bool is_relro(const struct elf_section *sec)
{
	return !strncmp(sec->name, ".data.rel.ro", 12) || !strcmp(sec->name, ".init_array") ||
	       !strcmp(sec->name, ".fini_array") || !strcmp(sec->name, ".dynamic");
}

/* Whether `v`, a word of a non-PIE executable's data, is an address: there
 * tables hold absolute addresses and need no relocation. Taken for one only
 * where it starts a function or lands in a PLT, in read-only data, or in a
 * data object, so that a number is rarely mistaken for one. */
static bool exec_address(struct an *a, uint64_t v)
{
	const struct elf_section *sec;
	struct elf_sym sym;

	if (elf_image_type(a->img) != ET_EXEC || v < 0x1000 ||
	    !(sec = elf_image_section_at(a->img, v)))
		return false;
	if (sec->flags & SHF_EXECINSTR)
		return !strncmp(sec->name, ".plt", 4) ||
		       (!elf_image_symbol_at(a->img, v, &sym) && sym.value == v &&
			(sym.type == STT_FUNC || sym.type == STT_GNU_IFUNC));
	if (!(sec->flags & SHF_WRITE) || is_relro(sec))
		return true;
	return !elf_image_symbol_at(a->img, v, &sym) && sym.type == STT_OBJECT;
}

/* A relocation by symbol to this object's own C++ vtable or typeinfo: a
 * shared object reaches those by symbol (through its GOT, from its objects
 * and typeinfo), as they may be interposed. The table's address; hashed as
 * this object's data, as its own functions are when called through the PLT. */
static bool own_cxx_table(const struct elf_reloc *r, uint64_t *v)
{
	if (!r || !r->sym || r->sym->shndx == SHN_UNDEF || r->sym->type != STT_OBJECT ||
	    (r->type != R_X86_64_64 && r->type != R_X86_64_GLOB_DAT) ||
	    (!is_vtable(r->sym->name) && !is_typeinfo(r->sym->name)))
		return false;
	*v = r->sym->value + (uint64_t)r->addend;
	return true;
}

/* The address a pointer-sized data word at `w` (bytes `p`) holds, where it
 * is local to this object: a RELATIVE relocation's addend, this object's own
 * C++ table, or in a non-PIE executable the word itself. */
static bool word_target(struct an *a, uint64_t w, const uint8_t *p, uint64_t *v)
{
	const struct elf_reloc *r = elf_image_reloc_at(a->img, w);

	if (r && r->type == R_X86_64_RELATIVE) {
		*v = (uint64_t)r->addend;
		return true;
	}
	if (r)
		return own_cxx_table(r, v);
	memcpy(v, p, sizeof *v);
	return exec_address(a, *v);
}

/* Past NEST_MAX levels of tables: code is still a callee (that does not
 * recurse here), data is named instead of followed. */
static void ref_named(struct an *a, uint64_t v)
{
	const struct elf_section *sec = elf_image_section_at(a->img, v);
	struct elf_sym sym;
	char tag;
	uint64_t off;

	if (in_fn(a->f, v, &tag, &off)) {
		put(a, tag, &off, sizeof off);
	} else if (sec && (sec->flags & SHF_EXECINSTR)) {
		ref_code(a, v);
	} else if (!elf_image_symbol_at(a->img, v, &sym)) {
		put_str(a, 'P', sym.name);
		put_u64(a, 'o', v - sym.value);
	} else {
		put_str(a, 'P', sec ? sec->name : "?");
	}
}

/* A data word that holds an address, hashed as what it points to: a
 * function as a callee (its identity), read-only data by its contents,
 * typeinfo by name, writable data by name (ref_data); an import or a
 * thread-local by what the dynamic linker puts there (ref_slot). Never the
 * address itself, which moves when code or data is added elsewhere. */
static void hash_word(struct an *a, uint64_t w, const uint8_t *p)
{
	uint64_t v;

	if (!word_target(a, w, p, &v))
		ref_slot(a, w);
	else if (a->nest > NEST_MAX)
		ref_named(a, v);
	else
		ref_data(a, v, 0);
}

static bool holds_address(struct an *a, uint64_t w, const uint8_t *p)
{
	uint64_t v;

	if (elf_image_reloc_at(a->img, w))
		return true;
	memcpy(&v, p, sizeof v);
	return exec_address(a, v);
}

/* Data bytes. Where a word may hold an address (relocated data such as
 * .data.rel.ro, and any data of a non-PIE executable, whose tables of
 * function or string pointers and vtables sit in .rodata with no
 * relocation), each aligned word that does is hashed as what it points to
 * (hash_word), and the bytes between them as they are. */
static void hash_bytes(struct an *a, const struct elf_section *sec, uint64_t addr, size_t n)
{
	size_t avail, run = 0;
	const uint8_t *p = elf_image_bytes(a->img, addr, &avail);

	if (!p) {
		put_str(a, '?', "nobytes");
		return;
	}
	if (n > avail)
		n = avail;
	if (!(sec->flags & SHF_WRITE) && elf_image_type(a->img) != ET_EXEC) {
		put(a, 'd', p, n);
		return;
	}
	a->nest++;
	for (size_t i = (8 - (addr & 7)) & 7; i + 8 <= n; i += 8) {
		if (!holds_address(a, addr + i, p + i))
			continue;
		if (i > run)
			put(a, 'd', p + run, i - run);
		hash_word(a, addr + i, p + i);
		run = i + 8;
	}
	if (n > run)
		put(a, 'd', p + run, n - run);
	a->nest--;
}

/* Entries of a jump table at `addr`, if it is one: 4-byte offsets from the
 * table (PIE) or 8-byte absolute addresses (non-PIE), landing in the function. */
static bool hash_jump_table(struct an *a, uint64_t addr)
{
	size_t avail, n = 0;
	const uint8_t *p = elf_image_bytes(a->img, addr, &avail);
	uint64_t limit = elf_image_next_symbol(a->img, addr);
	bool abs8 = elf_image_type(a->img) == ET_EXEC;
	size_t w = abs8 ? 8 : 4;

	if (!p)
		return false;
	if (limit - addr < avail)
		avail = limit - addr;
	for (; n < TABLE_MAX && (n + 1) * w <= avail; n++) {
		uint64_t t;
		char tag;
		uint64_t off;
		if (abs8) {
			memcpy(&t, p + n * w, 8);
		} else {
			int32_t d;
			memcpy(&d, p + n * w, 4);
			t = addr + (uint64_t)(int64_t)d;
		}
		if (!in_fn(a->f, t, &tag, &off))
			break;
		put(a, tag, &off, sizeof off);
	}
	if (n)
		report(a, IDENTITY_RODATA, "jump table", "%zu entries", n);
	return n > 0;
}

static void ref_rodata(struct an *a, const struct elf_section *sec, uint64_t addr, size_t size)
{
	struct elf_sym sym;
	size_t avail;
	const uint8_t *p;

	if (!elf_image_symbol_at(a->img, addr, &sym) && sym.type == STT_OBJECT && sym.size) {
		size_t n = sym.size < SYMDATA_MAX ? sym.size : SYMDATA_MAX;
		put_u64(a, 'o', addr - sym.value);
		if (is_typeinfo(sym.name)) {
			/* What typeid and dynamic_cast compare is the type's
			 * name; the bytes point at the C++ runtime's own
			 * vtables, imported data that is no part of this code. */
			put_str(a, 'T', sym.name);
			report(a, IDENTITY_RODATA, sym.name, "typeinfo, by name");
			return;
		}
		report(a, IDENTITY_RODATA, sym.name, "%zu bytes", n);
		hash_bytes(a, sec, sym.value, n);
		return;
	}
	if (size) {
		hash_bytes(a, sec, addr, size);
		report(a, IDENTITY_RODATA, sec->name, "%zu bytes at +0x%llx", size,
		       (unsigned long long)(addr - sec->addr));
		return;
	}
	if (hash_jump_table(a, addr))
		return;
	p = elf_image_bytes(a->img, addr, &avail);
	uint64_t limit = elf_image_next_symbol(a->img, addr);
	if (p && limit - addr < avail)
		avail = limit - addr;
	size_t n = 0;
	while (p && n < avail && n < STRING_MAX && p[n] &&
	       (p[n] >= 0x20 || p[n] == '\n' || p[n] == '\t' || p[n] == '\r'))
		n++;
	if (p && n < avail && !p[n]) {
		put(a, 's', p, n + 1);
		report(a, IDENTITY_RODATA, "string", "\"%.*s\"", (int)(n < 60 ? n : 60), p);
		return;
	}
	n = avail < BLOB_MAX ? avail : BLOB_MAX;
	hash_bytes(a, sec, addr, n);
	report(a, IDENTITY_RODATA, sec->name, "%zu bytes at +0x%llx (unlabelled)", n,
	       (unsigned long long)(addr - sec->addr));
}

/* The vtables a C++ object in writable data points to, hashed by contents
 * (their functions join as callees) at the offsets of its vtable pointers;
 * returns how many of its words are such pointers. Its other bytes are its
 * state: run-time values, named by the caller, never hashed. */
static size_t hash_vptrs(struct an *a, const struct elf_sym *obj)
{
	size_t avail, found = 0;
	const uint8_t *p = elf_image_bytes(a->img, obj->value, &avail);

	if (!p || obj->size > avail || obj->size > OBJECT_MAX || a->nest > NEST_MAX)
		return 0;
	a->nest++;
	for (uint64_t i = (8 - (obj->value & 7)) & 7; i + 8 <= obj->size; i += 8) {
		struct elf_sym vt;
		uint64_t v;
		if (!word_target(a, obj->value + i, p + i, &v) ||
		    elf_image_symbol_at(a->img, v, &vt) || !is_vtable(vt.name))
			continue;
		report(a, IDENTITY_RODATA, vt.name, "vtable of %s at +%llu", obj->name,
		       (unsigned long long)i);
		put_u64(a, 'V', i);
		ref_data(a, v, 0);
		found++;
	}
	a->nest--;
	return found;
}

/* An address the code uses as data: `size` bytes loaded, 0 = address taken
 * or indexed (extent unknown). */
static void ref_data(struct an *a, uint64_t addr, size_t size)
{
	const struct elf_section *sec = elf_image_section_at(a->img, addr);
	struct elf_sym sym;
	char tag;
	uint64_t off;

	if (in_fn(a->f, addr, &tag, &off)) {
		put(a, tag, &off, sizeof off);
		return;
	}
	if (!sec) {
		put_str(a, '?', "nosection");
		return;
	}
	if (!strncmp(sec->name, ".got", 4)) {
		uint64_t v;
		if (own_cxx_table(elf_image_reloc_at(a->img, addr), &v))
			ref_data(a, v, 0);
		else
			ref_slot(a, addr);
		return;
	}
	if (sec->flags & SHF_EXECINSTR) {
		ref_code(a, addr);
		return;
	}
	if (!is_relro(sec) && ((sec->flags & SHF_WRITE) || sec->type == SHT_NOBITS)) {
		char where[256];	/* a section and an offset */
		const char *name = where;	/* a symbol's, of any length */
		if (!elf_image_symbol_at(a->img, addr, &sym)) {
			name = sym.name;
			put_u64(a, 'o', addr - sym.value);
			size_t vptrs = sec->type != SHT_NOBITS && sym.type == STT_OBJECT ?
				       hash_vptrs(a, &sym) : 0;
			if (vptrs && vptrs * 8 == sym.size) {
				/* Nothing but vtable pointers (a stateless C++
				 * object, put in writable data for its destructor
				 * or its relocations): no state to warn about. */
				put_str(a, 'v', name);
				return;
			}
		} else {
			snprintf(where, sizeof where, "%.200s+0x%llx", sec->name,
				 (unsigned long long)(addr - sec->addr));
		}
		put_str(a, 'w', name);
		add_global(a, name);
		return;
	}
	ref_rodata(a, sec, addr, size);
}

static void ref_tls(struct an *a, int64_t tpoff)
{
	struct elf_sym sym;
	uint64_t tls = elf_image_tls_size(a->img);

	if (tls && (uint64_t)-tpoff <= tls &&
	    !elf_image_tls_symbol_at(a->img, tls + (uint64_t)tpoff, &sym)) {
		put_str(a, 't', sym.name);
		add_global(a, sym.name);
		return;
	}
	put_str(a, 't', "");
	add_global(a, "a thread-local variable");
}

static void mask(uint8_t *buf, unsigned off, unsigned bits)
{
	if (off + bits / 8 <= 16)
		memset(buf + off, 0, bits / 8);
}

static int walk_part(struct an *a, uint64_t start, uint64_t size)
{
	ZydisDecoder dec;
	size_t avail;
	const uint8_t *code = elf_image_bytes(a->img, start, &avail);
	bool exec = elf_image_type(a->img) == ET_EXEC;

	if (!code || avail < size)
		return why_fmt(a->why, sizeof a->why, "no code bytes for '%s'", a->f->name);
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	for (uint64_t off = 0; off < size;) {
		ZydisDecodedInstruction in;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		uint64_t ip = start + off;
		uint8_t buf[16];
		bool disp_done = false;

		if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, code + off, size - off, &in, ops))) {
			put(a, 'b', code + off, 1);	/* data in code: hashed as is */
			off++;
			continue;
		}
		memcpy(buf, code + off, in.length);
		for (int i = 0; i < 2; i++) {
			const struct ZydisDecodedInstructionRawImm_ *im = &in.raw.imm[i];
			if (!im->size)
				continue;
			if (im->is_relative) {
				uint64_t t = ip + in.length + (uint64_t)im->value.s;
				char tag;
				uint64_t toff;
				mask(buf, im->offset, im->size);
				if (in_fn(a->f, t, &tag, &toff))
					put(a, tag, &toff, sizeof toff);
				else
					ref_code(a, t);
			} else if (exec && im->size == 32 && im->value.u >= 0x1000 &&
				   elf_image_section_at(a->img, im->value.u)) {
				/* non-PIE: `mov $.LC0, %edi` */
				mask(buf, im->offset, im->size);
				ref_data(a, im->value.u, 0);
			}
		}
		for (int i = 0; i < in.operand_count && !disp_done; i++) {
			const ZydisDecodedOperand *op = &ops[i];
			if (op->type != ZYDIS_OPERAND_TYPE_MEMORY || !op->mem.disp.has_displacement ||
			    !in.raw.disp.size)
				continue;
			size_t sz = op->mem.type == ZYDIS_MEMOP_TYPE_AGEN ||
				    op->mem.index != ZYDIS_REGISTER_NONE ? 0 : op->size / 8;
			int64_t d = op->mem.disp.value;
			if (op->mem.base == ZYDIS_REGISTER_RIP) {
				mask(buf, in.raw.disp.offset, in.raw.disp.size);
				ref_data(a, ip + in.length + (uint64_t)d, sz);
				disp_done = true;
			} else if (op->mem.segment == ZYDIS_REGISTER_FS &&
				   op->mem.base == ZYDIS_REGISTER_NONE &&
				   op->mem.index == ZYDIS_REGISTER_NONE && d < 0) {
				mask(buf, in.raw.disp.offset, in.raw.disp.size);
				ref_tls(a, d);
				disp_done = true;
			} else if (exec && op->mem.base == ZYDIS_REGISTER_NONE && d >= 0x1000 &&
				   op->mem.segment != ZYDIS_REGISTER_FS &&
				   op->mem.segment != ZYDIS_REGISTER_GS &&
				   elf_image_section_at(a->img, (uint64_t)d)) {
				/* non-PIE: `jmp *.L4(,%rax,8)`, `movsd tbl(,%rax,8)` */
				mask(buf, in.raw.disp.offset, in.raw.disp.size);
				ref_data(a, (uint64_t)d, sz);
				disp_done = true;
			}
		}
		put(a, 'I', buf, in.length);
		off += in.length;
	}
	return 0;
}

/* Hash the function's own code, data and imports; collect its callees. With
 * a->visit set, only reports (the cached analysis is left as is). */
static int analyze(struct an *a)
{
	struct fn *f = a->f;
	struct elf_sym cs;
	char *cold;

	if (!a->visit && f->analyzed)
		return f->failed ? -1 : 0;
	/* NAME.cold whole: a C++ name cut short would miss its part */
	if (asprintf(&cold, "%s.cold", f->name) < 0)
		return -1;
	if (!a->visit) {
		if (!elf_image_symbol(a->img, cold, NULL, &cs) && cs.size && cs.value != f->start) {
			f->cold = cs.value;
			f->cold_size = cs.size < FUNC_MAX ? cs.size : FUNC_MAX;
		}
	}
	b2_init(&a->st, 32);
	for (int i = 0; a->digests && i < 3; i++)
		b2_init(&a->part[i], IDENTITY_DIGEST_BYTES);
	report(a, IDENTITY_CODE, f->name, "%llu bytes", (unsigned long long)f->size);
	int rc = walk_part(a, f->start, f->size);
	if (!rc && f->cold_size) {
		put_str(a, 'C', "cold");
		report(a, IDENTITY_CODE, cold, "%llu bytes", (unsigned long long)f->cold_size);
		rc = walk_part(a, f->cold, f->cold_size);
	}
	free(cold);
	if (a->visit && a->digests && !rc) {
		char hex[3][2 * IDENTITY_DIGEST_BYTES + 1];
		for (int i = 0; i < 3; i++) {
			uint8_t d[IDENTITY_DIGEST_BYTES];
			b2_final(&a->part[i], d, sizeof d);
			util_hex(hex[i], d, sizeof d);
		}
		report(a, IDENTITY_DIGEST, f->name, "code %s data %s strings %s",
		       hex[PART_CODE], hex[PART_DATA], hex[PART_STRINGS]);
	}
	if (a->visit)
		return rc;
	f->analyzed = true;
	f->failed = rc != 0;
	if (!rc)
		b2_final(&a->st, f->local, sizeof f->local);
	return rc;
}

/* Out of line, so the analysis's large frame is not on every level of the
 * recursive DFS below. */
static __attribute__((noinline)) int analyze_fn(struct fn *f, char *why, size_t whylen)
{
	struct an a = { .f = f, .img = f->img };

	if (analyze(&a))
		return why_fmt(why, whylen, "%s", *a.why ? a.why : "its code cannot be read");
	return 0;
}

/* identity(f) = H(local(f) ‖ identity of each callee in order), where a
 * callee on the DFS stack (a recursion) is hashed as its distance up the
 * stack. Returns the lowest stack depth a back edge reached (INT32_MAX if
 * none): an identity that saw no back edge above f is the same from every
 * caller and is kept in f->ident. */
static int ident(struct fn *f, int depth, uint8_t out[32], char *why, size_t whylen, int *err)
{
	blake2b_state st;
	int low = INT32_MAX;

	if (analyze_fn(f, why, whylen)) {
		*err = -1;
		return low;
	}
	if (depth > DEPTH_MAX) {
		why_fmt(why, whylen, "call graph below '%s' deeper than %d", f->name, DEPTH_MAX);
		*err = -1;
		return low;
	}
	f->depth = depth;
	b2_init(&st, 32);
	upd(&st, "memo-identity-1", 15);
	upd(&st, f->local, sizeof f->local);
	for (size_t i = 0; i < f->ncallees && !*err; i++) {
		struct fn *c = f->callees[i];
		uint8_t h[32];
		if (c->depth >= 0) {
			int32_t up = depth - c->depth;
			upd(&st, "B", 1);
			upd(&st, &up, sizeof up);
			if (c->depth < low)
				low = c->depth;
			continue;
		}
		if (c->ident_done) {
			upd(&st, c->ident, sizeof c->ident);
			continue;
		}
		int l = ident(c, depth + 1, h, why, whylen, err);
		if (l < low)
			low = l;
		upd(&st, h, sizeof h);
	}
	f->depth = -1;
	b2_final(&st, out, 32);
	if (!*err && low >= depth) {
		memcpy(f->ident, out, 32);
		f->ident_done = true;
	}
	return low;
}

static void explain(struct fn *f, int depth, identity_visit_fn *visit, void *ctx, bool digests)
{
	struct an a = { .f = f, .img = f->img, .visit = visit, .vctx = ctx, .vdepth = depth,
			.digests = digests };

	struct an full = { .f = f, .img = f->img };

	if (f->stamp == fn_stamp)
		return;
	f->stamp = fn_stamp;
	analyze(&full);		/* an identity read from the cache has no callee list yet */
	analyze(&a);
	for (size_t i = 0; i < f->ncallees; i++)
		explain(f->callees[i], depth + 1, visit, ctx, digests);
}

static struct fn *fn_at(const char *path, uint64_t vaddr, char *why, size_t whylen)
{
	struct elf_image *img = elf_image_open(path, why, whylen);
	struct elf_sym sym;
	struct fn *f;

	if (!img)
		return NULL;
	if (elf_image_symbol_at(img, vaddr, &sym) ||
	    (sym.type != STT_FUNC && sym.type != STT_GNU_IFUNC && sym.type != STT_NOTYPE)) {
		why_fmt(why, whylen, "no function symbol at 0x%llx in '%s'",
			(unsigned long long)vaddr, path);
		return NULL;
	}
	f = fn_get(img, &sym);
	if (!f)
		why_fmt(why, whylen, "out of memory");
	return f;
}

static int cache_read(struct fn *f, uint8_t out[32]);
static void cache_write(struct fn *f, const uint8_t id[32]);

static int identity_walk(const char *path, uint64_t vaddr, uint8_t out[32],
			 identity_visit_fn *visit, void *ctx, bool digests, char *why, size_t whylen)
{
	struct fn *f;
	int err = 0;

	pthread_mutex_lock(&identity_lock);
	f = fn_at(path, vaddr, why, whylen);
	if (!f)
		err = -1;
	else if (f->ident_done)
		memcpy(out, f->ident, 32);
	else if (!*cache_dir || cache_read(f, out))
		ident(f, 0, out, why, whylen, &err);
	if (!err && *cache_dir && !f->cached)
		cache_write(f, out);
	if (!err && visit) {
		fn_stamp++;
		explain(f, 0, visit, ctx, digests);
	}
	pthread_mutex_unlock(&identity_lock);
	return err;
}

int identity_of(const char *path, uint64_t vaddr, uint8_t out[32],
		identity_visit_fn *visit, void *ctx, char *why, size_t whylen)
{
	return identity_walk(path, vaddr, out, visit, ctx, false, why, whylen);
}

int identity_parts(const char *path, uint64_t vaddr, uint8_t out[32],
		   identity_visit_fn *visit, void *ctx, char *why, size_t whylen)
{
	return identity_walk(path, vaddr, out, visit, ctx, true, why, whylen);
}

/*
 * Code with no symbol to bound it (an IFUNC's implementation in a stripped
 * library, such as libm's sin → __sin_fma) cannot be decoded function by
 * function; its library can still be named exactly: the build-id fixes every
 * byte of it. Such a function's identity is then the symbol it was configured
 * as, its place in the library and the library's build-id — any rebuild of
 * the library changes it; nothing else does.
 */
static int identity_by_build_id(struct hook *h, uint64_t vaddr)
{
	char why[256];
	struct elf_image *img = elf_image_open(h->path, why, sizeof why);
	const uint8_t *id;
	size_t idlen;
	blake2b_state s;

	if (!img || !(id = elf_image_build_id(img, &idlen)))
		return -1;
	b2_init(&s, 32);
	b2_update(&s, (const uint8_t *)"by build-id", 11);
	b2_update(&s, (const uint8_t *)h->fn->symbol, strlen(h->fn->symbol) + 1);
	b2_update(&s, (const uint8_t *)h->fn->version, strlen(h->fn->version) + 1);
	b2_update(&s, (const uint8_t *)&vaddr, sizeof vaddr);
	b2_update(&s, id, idlen);
	b2_final(&s, h->identity, 32);
	return 0;
}

/*
 * The function's own object may select IFUNC implementations for its calls
 * (GCC's target_clones, a static IFUNC: IRELATIVE slots), per CPU, as
 * providers do for imports (provider.c): the selections made here join the
 * identity. Folded in after the code identity, never into it, so what the
 * identity cache keeps by build-id still depends on the file alone.
 */
static void add_own_selections(struct hook *h)
{
	uint8_t d[PROVIDER_DIGEST_BYTES];
	blake2b_state s;

	if (provider_own_selections(h->target, d))
		return;
	b2_init(&s, 32);
	b2_update(&s, (const uint8_t *)"own ifuncs", 10);
	b2_update(&s, h->identity, 32);
	b2_update(&s, d, sizeof d);
	b2_final(&s, h->identity, 32);
}

int identity_compute(struct hook *h)
{
	uint64_t vaddr = (uint64_t)(uintptr_t)h->target - h->base;
	struct elf_sym sym;
	char why[256];
	struct elf_image *img;

	if (identity_of(h->path, vaddr, h->identity, NULL, NULL, why, sizeof why) == 0) {
		add_own_selections(h);
		return 0;
	}
	img = elf_image_open(h->path, NULL, 0);
	if (img && elf_image_symbol_at(img, vaddr, &sym) < 0 && identity_by_build_id(h, vaddr) == 0) {
		add_own_selections(h);
		return 0;
	}
	return hook_refuse(h, REFUSE_NO_IDENTITY, "%s", why);
}

/* The writable globals and imports of f and of its callees, transitively. */
static void collect(struct fn *f, struct strlist *globals, struct strlist *imports)
{
	if (f->stamp == fn_stamp)
		return;
	f->stamp = fn_stamp;
	for (size_t i = 0; i < f->globals.n; i++)
		strlist_add(globals, f->globals.v[i]);
	for (size_t i = 0; imports && i < f->imports.n; i++)
		strlist_add(imports, f->imports.v[i]);
	for (size_t i = 0; i < f->ncallees; i++)
		collect(f->callees[i], globals, imports);
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int identity_globals_read(struct hook *h, char *buf, size_t len)
{
	struct strlist g = { 0 };
	struct fn *f;
	char why[256];
	int n = -1;

	if (len)
		buf[0] = '\0';
	if (identity_compute(h))
		return -1;
	pthread_mutex_lock(&identity_lock);
	f = fn_at(h->path, (uint64_t)(uintptr_t)h->target - h->base, why, sizeof why);
	if (f) {
		fn_stamp++;
		collect(f, &g, NULL);
		for (size_t i = 0, used = 0; i < g.n && used < len; i++)
			used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", g.v[i]);
		n = (int)g.n;
		strlist_free(&g);
	} else {
		hook_refuse(h, REFUSE_NO_IDENTITY, "%s", why);
	}
	pthread_mutex_unlock(&identity_lock);
	return n;
}

/*
 * The identity cache: one small text file per function, named by the object's
 * build-id, the file's size and modification time, and the function's
 * address, so a big binary's start-up skips the decoding. The build-id alone
 * is not trusted to name the bytes: a link may set it by hand
 * (--build-id=0x...), the same for every build; a new build is a new file
 * with its own time, whatever build-id it carries. It records the identity,
 * the globals for the purity warning, and each import with its provider at
 * the time (provider_id: build-id or content, and IFUNC selections): if any
 * provider has changed since (a library upgraded, another CPU), the entry is
 * stale and recomputed.
 *   memo-identity 1
 *   identity HEX
 *   import NAME@VERSION PROVIDER-ID
 *   global NAME
 *   check HEX          BLAKE2b-256 of every line above
 * Written to a temporary file and renamed, so a reader sees all or nothing;
 * a file that does not verify is ignored (and replaced).
 */
static int cache_path(const struct fn *f, char *path, size_t n)
{
	size_t len, used;
	const uint8_t *id = elf_image_build_id(f->img, &len);

	if (!id || !len)
		return -1;
	used = (size_t)snprintf(path, n, "%s/", cache_dir);
	if (used + 2 * len >= n)
		return -1;
	const struct stat *st = elf_image_stat(f->img);

	util_hex(path + used, id, len);
	used += 2 * len;
	return snprintf(path + used, n - used, "-%llx-%llx.%09ld-%llx.id",
			(unsigned long long)st->st_size, (unsigned long long)st->st_mtim.tv_sec,
			(long)st->st_mtim.tv_nsec, (unsigned long long)f->start) <
			       (int)(n - used) ? 0 : -1;
}

/* Under identity_lock. */
static bool said_not_regular;

static int cache_read(struct fn *f, uint8_t out[32])
{
	char path[PATH_MAX + 64], buf[16384], sum[65], *line, *save = NULL;
	uint8_t digest[32];
	struct strlist globals = { 0 };
	bool have_id = false, ok = true;
	ssize_t n;
	int fd;

	if (cache_path(f, path, sizeof path))
		return -1;
	/* Never blocks: anything but a regular file is said once and
	 * recomputed, and cache_write's rename replaces it. */
	fd = util_open_regular(AT_FDCWD, path, O_RDONLY, 0, NULL);
	if (fd == UTIL_NOT_REGULAR && !said_not_regular) {
		said_not_regular = true;
		log_warn("'%s': not a regular file: identity cache entry ignored, recomputed", path);
	}
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *check = strstr(buf, "check ");
	if (!check || (check != buf && check[-1] != '\n') || strlen(check) != 6 + 64 + 1)
		goto bad;
	b2(digest, buf, NULL, sizeof digest, (size_t)(check - buf), 0);
	util_hex(sum, digest, sizeof digest);
	if (memcmp(check + 6, sum, 64) || strncmp(buf, "memo-identity 1\n", 16))
		goto bad;
	*check = '\0';
	for (line = strtok_r(buf + 16, "\n", &save); line && ok; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "identity ", 9) && strlen(line) == 9 + 64) {
			ok = util_unhex(out, line + 9, 32) == 0;
			have_id = true;
		} else if (!strncmp(line, "import ", 7)) {
			/* Still the same providers? "import NAME@VERSION WAS",
			 * the name of any length: cut where it lies */
			char now[PATH_MAX], *name = line + 7, *version, *was;
			char *at = strchr(name, '@'), *sp = at ? strchr(at, ' ') : NULL;
			if (!at || !sp) {
				ok = false;
				break;
			}
			*at = *sp = '\0';
			version = at + 1;
			was = sp + 1;
			provider_id(name, version, now, sizeof now);
			if (strcmp(was, now)) {
				log_debug("'%s': identity cache stale: '%s' now from %s", f->name, name, now);
				ok = false;
			}
		} else if (!strncmp(line, "global ", 7)) {
			strlist_add(&globals, line + 7);
		} else {
			ok = false;
		}
	}
	if (!ok || !have_id) {
		strlist_free(&globals);
		return -1;
	}
	strlist_free(&f->globals);
	f->globals = globals;
	memcpy(f->ident, out, 32);
	f->ident_done = true;
	f->cached = true;
	log_debug("'%s': identity read from '%s'", f->name, path);
	return 0;
bad:
	log_debug("'%s': identity cache '%s' does not verify: recomputed", f->name, path);
	return -1;
}

static void cache_write(struct fn *f, const uint8_t id[32])
{
	char path[PATH_MAX + 64], buf[16384], sum[65];
	struct strlist globals = { 0 }, imports = { 0 };
	uint8_t digest[32];
	size_t used = 0;

	f->cached = true;	/* one attempt per process */
	if (cache_path(f, path, sizeof path))
		return;
	fn_stamp++;
	collect(f, &globals, &imports);
	used += snprintf(buf, sizeof buf, "memo-identity 1\nidentity ");
	util_hex(buf + used, id, 32);
	used += 64;
	buf[used++] = '\n';
	for (size_t i = 0; i < imports.n && used < sizeof buf; i++)
		used += snprintf(buf + used, sizeof buf - used, "import %s\n", imports.v[i]);
	for (size_t i = 0; i < globals.n && used < sizeof buf; i++)
		used += snprintf(buf + used, sizeof buf - used, "global %s\n", globals.v[i]);
	strlist_free(&globals);
	strlist_free(&imports);
	if (used + 6 + 64 + 2 > sizeof buf)
		return;		/* too many parts for a cache entry: computed each time */
	b2(digest, buf, NULL, sizeof digest, used, 0);
	util_hex(sum, digest, sizeof digest);
	used += snprintf(buf + used, sizeof buf - used, "check %s\n", sum);

	util_mkdirat(AT_FDCWD, cache_dir, 0755);
	if (util_file_replace(path, buf, used, 0644) < 0)	/* read back by later runs */
		log_debug("'%s': cannot write '%s': %s", f->name, path, strerror(errno));
}

int identity_global_addr(struct hook *h, const char *name, void **addr, size_t *size)
{
	char why[256];
	struct elf_image *img = elf_image_open(h->path, why, sizeof why);
	uint64_t v, sz;
	bool tls;

	if (!img)
		return hook_refuse(h, REFUSE_UNREADABLE, "%s", why);
	if (elf_image_global(img, name, &v, &sz, &tls))
		return hook_refuse(h, REFUSE_NO_GLOBAL, "no global variable '%s' in '%s'", name, h->path);
	if (tls)
		return hook_refuse(h, REFUSE_THREAD_LOCAL, "'%s' is thread-local: it cannot be keyed", name);
	*addr = (void *)(uintptr_t)(h->base + v);
	*size = sz;
	return 0;
}

void identity_set_cache_dir(const char *dir)
{
	/* snprintf's "%s", truncated alike, with no call start-up would not
	 * make otherwise (each a lookup by the loader; snprintf's code, pages
	 * read in) */
	size_t n = 0;

	while (dir && n < sizeof cache_dir - 1 && dir[n])
		n++;
	pthread_mutex_lock(&identity_lock);
	memcpy(cache_dir, dir ? dir : "", n);
	cache_dir[n] = '\0';
	pthread_mutex_unlock(&identity_lock);
}

/* Written once at start-up, before any reader. */
const char *identity_get_cache_dir(void)
{
	return cache_dir;
}
