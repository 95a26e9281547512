/*
 * signature: the declared prototype against the debug info (signature.h).
 * The comparison and the opaque arguments' warning are shared by the engine
 * and `memo check`; the engine's check keeps its verdict in the identity
 * cache folder, so that libdw is loaded (libmemo-dwarf.so, dlopen) only the
 * first time a build of an object is met with a prototype.
 * Calls config (proto), hook, log, util, libb2, libdl.
 */
#include "find/signature.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "config/types.h"
#include "find/identity.h"
#include "base/b2.h"

/* ---- the comparison --------------------------------------------------- */

static uint8_t class_of(const struct scalar_type *t)
{
	switch (t->cls) {
	case SC_SINT:
	case SC_UINT:
		return DWC_INT;
	case SC_BOOL:
		return DWC_BOOL;
	case SC_FLOAT:
		return DWC_FLOAT;
	case SC_PTR:
		return DWC_POINTER;
	case SC_COMPLEX:
		return DWC_COMPLEX;
	case SC_STRUCT:
		return DWC_RECORD;
	default:
		return DWC_VOID;
	}
}

/* A declared scalar as C spells it (a struct's name in a buffer of its
 * own: one message at a time, at start-up or in memo check). */
static const char *c_name(const struct scalar_type *t)
{
	static char tag[PROTO_MAX_NAME + 8];

	static const char *const sint[] = { "char", "short", "?", "int", "?", "?", "?", "long" };
	static const char *const uint[] = { "unsigned char", "unsigned short", "?", "unsigned int",
					    "?", "?", "?", "unsigned long" };

	switch (t->cls) {
	case SC_SINT:
		return t->size >= 1 && t->size <= 8 ? sint[t->size - 1] : "?";
	case SC_UINT:
		return t->size >= 1 && t->size <= 8 ? uint[t->size - 1] : "?";
	case SC_BOOL:
		return "_Bool";
	case SC_FLOAT:
		return t->size == 4 ? "float" : t->size == 8 ? "double" : "long double";
	case SC_PTR:
		return "void *";
	case SC_COMPLEX:
		return t->size == 8 ? "float _Complex" : t->size == 16 ? "double _Complex" :
		       "long double _Complex";
	case SC_STRUCT:
		snprintf(tag, sizeof tag, "struct %s", t->def->name);
		return tag;
	default:
		return "void";
	}
}

/* A declared struct's scalars, flattened as dwarf.c lists the debug
 * info's (struct dwarf_leaf); -1 past DWARF_MAX_LEAVES. */
static int def_leaves(const struct type_def *d, unsigned base, struct dwarf_leaf *out, int n)
{
	for (int i = 0; i < d->nfields; i++) {
		const struct type_field *f = &d->field[i];

		for (unsigned k = 0; k < f->count; k++) {
			unsigned at = base + f->off + k * f->type.size;

			if (f->type.cls == SC_STRUCT) {
				if ((n = def_leaves(f->type.def, at, out, n)) < 0)
					return -1;
				continue;
			}
			if (n == DWARF_MAX_LEAVES)
				return -1;
			out[n++] = (struct dwarf_leaf){ (uint16_t)at, class_of(&f->type),
						       (uint8_t)f->type.size, f->type.cls == SC_SINT };
		}
	}
	return n;
}

/* A declared struct against the debug info's record of that size: the same
 * scalars at the same offsets (an integer and a _Bool of one size agree),
 * or why not. Where the debug info could not list them, the size alone. */
static bool fields_agree(const struct type_def *d, int nleaves, const struct dwarf_leaf *leaves,
			 char *why, size_t n)
{
	struct dwarf_leaf mine[DWARF_MAX_LEAVES];
	int k = def_leaves(d, 0, mine, 0);

	if (nleaves < 0 || k < 0)
		return true;
	for (int i = 0; i < k || i < nleaves; i++) {
		const struct dwarf_leaf *a = i < k ? &mine[i] : NULL, *b = i < nleaves ? &leaves[i] : NULL;
		bool same = a && b && a->off == b->off && a->size == b->size &&
			    (a->cls == b->cls || ((a->cls == DWC_BOOL || a->cls == DWC_INT) &&
						  (b->cls == DWC_BOOL || b->cls == DWC_INT)));
		if (!same) {
			snprintf(why, n, ": at byte %u, %s", a ? a->off : b->off,
				 !a ? "a field the declaration lacks" :
				 !b ? "a field the debug info lacks" :
				 a->off != b->off ? "the fields do not line up" :
				 "the field's type differs");
			return false;
		}
	}
	return true;
}

/* A declared argument as the prototype language spells it, without a length. */
static void declared(const struct proto_arg *a, char *buf, size_t n)
{
	static const char *const kind[] = {
		[ARG_IN] = "const ", [ARG_OUT] = "out ", [ARG_INOUT] = "inout ",
	};

	switch (a->kind) {
	case ARG_SCALAR:
		snprintf(buf, n, "%s", c_name(&a->type));
		break;
	case ARG_STRING:
		snprintf(buf, n, "const char *");
		break;
	case ARG_OPAQUE:
		snprintf(buf, n, "opaque void *");
		break;
	case ARG_REF:
		snprintf(buf, n, "const %s *", c_name(&a->type));
		break;
	case ARG_CXX_VECTOR:
		snprintf(buf, n, "const std::vector<%s> &", c_name(&a->type));
		break;
	case ARG_CXX_STRING:
		snprintf(buf, n, "const std::string &");
		break;
	default:
		snprintf(buf, n, "%s%s[]", kind[a->kind], c_name(&a->type));
		break;
	}
}

/* Scalars agree in class and size; an integer and a _Bool of one size are
 * the same bits. A type the debug info has no class for is not compared. */
static bool scalar_agrees(const struct scalar_type *t, const struct dwarf_type *d)
{
	uint8_t c = class_of(t);

	if (d->cls == DWC_UNKNOWN)
		return true;
	if (c == DWC_BOOL || d->cls == DWC_BOOL)
		return (c == DWC_BOOL || c == DWC_INT) && (d->cls == DWC_BOOL || d->cls == DWC_INT) &&
		       t->size == d->size;
	if (c == DWC_POINTER)
		return d->cls == DWC_POINTER;
	if (c == DWC_RECORD && d->cls == DWC_RECORD && t->size == d->size) {
		char why[80];
		return fields_agree(t->def, d->nleaves, d->leaves, why, sizeof why);
	}
	return c == d->cls && t->size == d->size;
}

/* A buffer's elements against what the pointer points to: where the debug
 * info knows a scalar, the same size (a float[] over doubles hashes half of
 * each); bytes (`void`) always agree; a struct's bytes may be declared as
 * any element that divides it (a length scaled to match). */
static bool elements_agree(const struct proto_arg *a, const struct dwarf_type *d, char *why,
			   size_t n)
{
	uint32_t size = a->type.size;

	*why = 0;
	if (a->type.cls == SC_STRUCT) {
		if (d->elem_cls == DWC_RECORD && d->elem_size == size)
			return fields_agree(a->type.def, d->nleaves, d->leaves, why, n);
		snprintf(why, n, ": %s is %u bytes", c_name(&a->type), size);
		return false;
	}
	if (a->type.cls == SC_VOID || !d->elem_size)
		return true;
	if (d->elem_cls == DWC_RECORD) {
		if (d->elem_size % size == 0)
			return true;
	} else if (size == d->elem_size) {
		return true;
	}
	snprintf(why, n, ": %u-byte elements for %u-byte ones", size, d->elem_size);
	return false;
}

static int mismatch(int *arg, int at, char *text, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int mismatch(int *arg, int at, char *text, size_t n, const char *fmt, ...)
{
	va_list ap;

	*arg = at;
	va_start(ap, fmt);
	vsnprintf(text, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Why a struct declared in [types] differs from the debug info's record
 * of its size, into why (else left as it is). */
static void struct_why(const struct scalar_type *t, const struct dwarf_type *d, char *why, size_t n)
{
	if (t->cls == SC_STRUCT && d->cls == DWC_RECORD && d->size == t->size)
		fields_agree(t->def, d->nleaves, d->leaves, why, n);
}

static int compare_arg(const struct proto_arg *a, const struct dwarf_type *d, int i, int *arg,
		       char *text, size_t n)
{
	char decl[64], why[80] = "";
	bool ok;

	declared(a, decl, sizeof decl);
	switch (a->kind) {
	case ARG_SCALAR:
		ok = scalar_agrees(&a->type, d);
		struct_why(&a->type, d, why, sizeof why);
		break;
	case ARG_OPAQUE:
		ok = d->cls == DWC_POINTER || d->cls == DWC_UNKNOWN;
		break;
	case ARG_STRING:
		ok = d->cls == DWC_POINTER && (d->elem_char || d->elem_size == 1 || !d->elem_size);
		break;
	case ARG_CXX_VECTOR:	/* a reference to the class, its layout libstdc++'s */
	case ARG_CXX_STRING:
		ok = d->cls == DWC_UNKNOWN || (d->cls == DWC_POINTER && d->is_reference &&
					       d->elem_cls == DWC_RECORD &&
					       strstr(d->spelling, a->kind == ARG_CXX_VECTOR ?
						      "vector<" : "string"));
		break;
	default:	/* arrays, and a by-reference scalar: one element */
		ok = d->cls == DWC_POINTER && elements_agree(a, d, why, sizeof why);
		break;
	}
	if (ok)
		return 0;
	return mismatch(arg, i, text, n, "'%s' is %s in the debug info, declared %s%s", a->name,
			d->spelling, decl, why);
}

static int compare_return(const struct proto *p, const struct dwarf_type *d, int *arg,
			  char *text, size_t n)
{
	char why[80] = "";
	bool ok;

	switch (p->ret_kind) {
	case RET_VOID:
		ok = d->cls == DWC_VOID;
		break;
	case RET_SCALAR:
		ok = d->cls != DWC_VOID && scalar_agrees(&p->ret, d);
		struct_why(&p->ret, d, why, sizeof why);
		break;
	case RET_CXX_OBJECT:	/* refused by closure.c, with the reason */
		ok = d->cls == DWC_RECORD || d->cls == DWC_UNKNOWN;
		break;
	default:	/* strings and `return = argument`: a pointer */
		ok = d->cls == DWC_POINTER || d->cls == DWC_UNKNOWN;
		break;
	}
	if (ok)
		return 0;
	return mismatch(arg, -1, text, n, "'%s' returns %s in the debug info, declared %s%s",
			p->name, d->spelling, p->ret_kind == RET_SCALAR || p->ret_kind == RET_VOID ?
			c_name(&p->ret) : "a pointer", why);
}

/* A spelling the name follows without a space: `double *coef`. */
static bool sticks(const char *spelling)
{
	size_t n = strlen(spelling);

	return n && (spelling[n - 1] == '*' || spelling[n - 1] == '&');
}

int signature_compare(const struct proto *p, const struct dwarf_func *d, int *arg,
		      char *text, size_t n)
{
	char list[1024];
	size_t used = 0;

	/* a variadic function's named arguments are compared; whether it may
	 * be memoized at all is inline.c's and closure.c's to say */
	if (d->nargs != p->nargs) {
		for (int i = 0; i < d->nargs && i < PROTO_MAX_ARGS && used < sizeof list; i++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s%s%s",
						 i ? ", " : "", d->args[i].spelling,
						 d->names[i][0] && !sticks(d->args[i].spelling) ? " " : "",
						 d->names[i]);
		return mismatch(arg, -1, text, n, "'%s' takes %d argument%s in the debug info (%s), "
				"declared %d", p->name, d->nargs, d->nargs == 1 ? "" : "s",
				d->nargs ? list : "void", p->nargs);
	}
	for (int i = 0; i < p->nargs; i++)
		if (compare_arg(&p->args[i], &d->args[i], i, arg, text, n) < 0)
			return -1;
	return compare_return(p, &d->ret, arg, text, n);
}

/* The debug info's struct, by value or pointed to, as [types] fields. */
static int fields_of(const struct dwarf_type *t, bool by_value, struct type_field *f, unsigned *size)
{
	static const uint8_t cls[] = { [DWC_INT] = SC_UINT, [DWC_BOOL] = SC_BOOL,
				       [DWC_FLOAT] = SC_FLOAT, [DWC_COMPLEX] = SC_COMPLEX };
	bool record = by_value ? t->cls == DWC_RECORD : t->cls == DWC_POINTER && t->elem_cls == DWC_RECORD;

	if (!record || t->nleaves <= 0)
		return -1;
	*size = by_value ? t->size : t->elem_size;
	for (int i = 0; i < t->nleaves; i++) {
		const struct dwarf_leaf *l = &t->leaves[i];
		const struct scalar_type *s = l->cls < sizeof cls && cls[l->cls] ?
			proto_scalar(l->cls == DWC_INT && l->is_signed ? SC_SINT : cls[l->cls], l->size) : NULL;

		if (!s)
			return -1;
		f[i] = (struct type_field){ .type = *s, .off = l->off, .count = 1 };
	}
	return t->nleaves;
}

int signature_define_structs(struct proto *p, const struct dwarf_func *d, int *arg, char *text,
			     size_t n)
{
	struct type_field f[DWARF_MAX_LEAVES];
	struct proto_error err;
	const struct type_def *u;

	for (int i = -1; d && i < p->nargs && i < d->nargs; i++) {
		struct scalar_type *t = i < 0 ? &p->ret : &p->args[i].type;
		bool by_value = i < 0 || p->args[i].kind == ARG_SCALAR;
		unsigned size;
		int k;

		if (t->cls != SC_STRUCT || t->def->line)
			continue;
		/* a def no file declared is the config's to fill (types.h) */
		k = fields_of(i < 0 ? &d->ret : &d->args[i], by_value, f, &size);
		if (k > 0 && types_define((struct type_def *)t->def, f, k, size, &err) < 0)
			return mismatch(arg, i, text, n, "%s", err.msg);
	}
	if ((u = types_undefined(p))) {
		*arg = -1;
		for (int i = 0; i < p->nargs; i++)
			if (p->args[i].type.def == u)
				*arg = i;
		return mismatch(arg, *arg, text, n, "'struct %s' is declared in no [types] section, and "
				"the debug info does not list its fields as keys need them (more than %d "
				"scalars, a union, a bit-field or a pointer): declare it in [types]",
				u->name, DWARF_MAX_LEAVES);
	}
	if (types_settle(p, arg, &err) < 0)
		return mismatch(arg, *arg, text, n, "%s", err.msg);
	return 0;
}

int signature_opaque_read(const struct proto *p, const struct dwarf_func *d,
			  void (*say)(void *ctx, int arg, const char *text), void *ctx)
{
	char text[512];
	int found = 0;

	for (int i = 0; i < p->nargs && i < d->nargs; i++) {
		const struct dwarf_type *t = &d->args[i];
		if (p->args[i].kind != ARG_OPAQUE || t->cls != DWC_POINTER ||
		    !(t->elem_cls == DWC_FUNCTION || (t->elem_cls == DWC_RECORD && t->elem_members)))
			continue;
		snprintf(text, sizeof text, "argument '%s' is opaque, but '%.300s' reads through it "
			 "(%s in the debug info): calls that differ only in what it points to "
			 "share one result", p->args[i].name, p->name, t->spelling);
		say(ctx, i, text);
		found++;
	}
	return found;
}

void signature_where(const struct function_config *fn, int arg, char *buf, size_t n)
{
	const struct config_pos *at = arg >= 0 && arg < fn->proto.nargs ? &fn->arg_at[arg] :
				      &fn->proto_at;

	snprintf(buf, n, "%s:%d:%d", fn->file, at->line, at->col);
}

/* ---- the engine's check, cached --------------------------------------- */

/* Verdicts, one file per build of an object (s1-HEX: a BLAKE2b of its
 * build-id, else its path, size and mtime; and whether a build-id debug
 * file exists, so that one installed later is read), a line per function
 * and prototype (KEY: a BLAKE2b of its address, the prototype's canonical
 * text and argument names):
 *   memo-signature 1 KEY ok			agrees, or nothing describes it
 *   memo-signature 1 KEY mismatch ARG TEXT	refused: argument ARG (-1: the whole)
 * The functions of one object come in a row: its file is read once for
 * all of them. Two processes adding a line at once may lose one: it is
 * computed again next time. */
#define VERDICT_HEAD "memo-signature 1 "

static void add(blake2b_state *s, const void *p, size_t n)
{
	b2_update(s, p, n);
}

/* The build-id of the loaded object whose load bias is `base`, read from its
 * notes in memory: no file is opened, so a cached verdict costs a process
 * no ELF parsing at start-up. */
struct loaded_id {
	uintptr_t base;
	const uint8_t *id;
	size_t len;
};

static int loaded_id_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct loaded_id *l = arg;

	(void)size;
	if (info->dlpi_addr != l->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
		if (ph->p_type != PT_NOTE)
			continue;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t name = (nh->n_namesz + 3) & ~(size_t)3, desc = (nh->n_descsz + 3) & ~(size_t)3;
			const uint8_t *d = p + sizeof *nh + name;
			if (d + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof *nh, "GNU", 4)) {
				l->id = d;
				l->len = nh->n_descsz;
				return 1;
			}
			p = d + desc;
		}
	}
	return 1;
}

/* The last verdict file read (or written), whole (util.h's book), and an
 * FNV-1a hash of its path, as decode_cache.c keeps its book: no copy of
 * the path (4 KiB) before the text, so a start that reads one object's
 * verdicts touches one page of this, not two. Its file's name, kept for
 * the last build-id asked (verdict_file_of_id), on that page too. */
static struct {
	uint64_t path_hash;	/* 0: none read */
	uint8_t last_id[64];	/* the last build-id named, and its file's name */
	size_t last_id_len;
	char name[3 + 33];
	struct util_book b;
	char first[16384];
} book = { .name = "s1-" };

/* Whether a debug file for this build-id is installed (asked once per
 * object: verdict_file_of_id keeps its answer). */
static bool has_build_id_debug(const uint8_t *id, size_t len)
{
	char path[PATH_MAX];

	return dwarf_build_id_path(id, len, path, sizeof path) == 0 && access(path, R_OK) == 0;
}

/* The name of the verdict file of the object whose build-id is id[len]
 * (s1- and 32 hex digits), kept for the last build-id asked (in book): the functions
 * of one object come in a row, and ten of libc's made ten BLAKE2b digests
 * and ten walks of the loaded objects for one name. */
static const char *verdict_file_of_id(const uint8_t *id, size_t len)
{
	uint8_t digest[16];
	blake2b_state s;

	if (len == book.last_id_len && !memcmp(id, book.last_id, len))
		return book.name;
	b2_init(&s, sizeof digest);
	add(&s, id, len);
	add(&s, &(bool){ has_build_id_debug(id, len) }, sizeof(bool));
	b2_final(&s, digest, sizeof digest);
	util_hex(book.name + 3, digest, sizeof digest);
	book.last_id_len = 0;
	if (len <= sizeof book.last_id) {
		memcpy(book.last_id, id, len);
		book.last_id_len = len;
	}
	return book.name;
}

/* The object's verdict file into path[], and the function's key into key[]. */
static int verdict_names(const struct hook *h, char *path, size_t n, char key[33])
{
	const char *dir = identity_get_cache_dir(), *file;
	char canon[PROTO_CANON_MAX], hex[3 + 33] = "s1-";
	uint64_t vaddr = (uint64_t)((uintptr_t)h->target - h->base);
	uint8_t digest[16];
	struct stat st;
	blake2b_state s;

	if (!dir[0])
		return -1;	/* no folder libmemo may write into: checked each time */
	if (h->loaded_id_len && h->loaded_id_len < sizeof h->loaded_id) {
		/* the build-id activate.c read where h's object is mapped, whole */
		file = verdict_file_of_id(h->loaded_id, h->loaded_id_len);
	} else {
		struct loaded_id l = { .base = h->base };

		dl_iterate_phdr(loaded_id_cb, &l);
		if (l.id && l.len) {
			file = verdict_file_of_id(l.id, l.len);
		} else {
			if (stat(h->path, &st) < 0)
				return -1;
			b2_init(&s, sizeof digest);
			add(&s, h->path, strlen(h->path) + 1);
			add(&s, &st.st_size, sizeof st.st_size);
			add(&s, &st.st_mtim, sizeof st.st_mtim);
			b2_final(&s, digest, sizeof digest);
			util_hex(hex + 3, digest, sizeof digest);
			file = hex;
		}
	}

	b2_init(&s, sizeof digest);
	add(&s, &vaddr, sizeof vaddr);
	add(&s, canon, proto_canonical(&h->fn->proto, canon, sizeof canon) + 1);
	for (int i = 0; i < h->fn->proto.nargs; i++)
		add(&s, h->fn->proto.args[i].name, strlen(h->fn->proto.args[i].name) + 1);
	b2_final(&s, digest, sizeof digest);
	util_hex(key, digest, sizeof digest);
	return util_path_in(path, n, dir, file);
}

static uint64_t path_hash(const char *s)
{
	uint64_t v = 0xcbf29ce484222325ull;

	while (*s)
		v = (v ^ (uint8_t)*s++) * 0x100000001b3ull;
	return v;
}

static void book_load(const char *path)
{
	uint64_t h = path_hash(path);

	if (h == book.path_hash)
		return;
	book.path_hash = h;
	util_book_read(&book.b, book.first, sizeof book.first, path);
}

/* The key's verdict in the book: 1 (ok: *arg == -2), or 0 when none. */
static int book_find(const char *key, int *arg, char *text, size_t n)
{
	char want[sizeof VERDICT_HEAD + 34], line[1024];
	const char *p = book.b.text, *end;
	int off = 0;

	memcpy(want, VERDICT_HEAD, sizeof VERDICT_HEAD - 1);	/* VERDICT_HEAD "KEY " */
	memcpy(want + sizeof VERDICT_HEAD - 1, key, 32);
	memcpy(want + sizeof VERDICT_HEAD - 1 + 32, " ", 2);
	for (; *p; p = end + 1) {
		end = strchr(p, '\n');
		if (!end)
			break;
		if ((size_t)(end - p) >= sizeof line || strncmp(p, want, strlen(want)))
			continue;
		memcpy(line, p, (size_t)(end - p));
		line[end - p] = 0;
		if (!strcmp(line + strlen(want), "ok")) {
			*arg = -2;
			return 1;
		}
		if (sscanf(line + strlen(want), "mismatch %d %n", arg, &off) == 1 && off && *arg >= -1) {
			snprintf(text, n, "%s", line + strlen(want) + off);
			return 1;
		}
	}
	return 0;
}

/* Add the key's verdict and write the book to a temporary file renamed
 * into place: a reader sees all or nothing. One that cannot be written is
 * computed again next time. */
static void book_add(const char *path, const char *key, int arg, const char *text)
{
	char line[1024];
	int len;

	len = arg == -2 ? snprintf(line, sizeof line, VERDICT_HEAD "%s ok\n", key) :
			  snprintf(line, sizeof line, VERDICT_HEAD "%s mismatch %d %s\n", key, arg, text);
	if (len <= 0 || len >= (int)sizeof line)
		return;
	util_book_add(&book.b, path, line, (size_t)len);
}

/* libmemo-dwarf.so's reader, from the folder this library was loaded from;
 * kept loaded once loaded (dlclose of libdw's dependencies is not worth
 * the risk). NULL when it cannot be loaded: then nothing is checked. */
static dwarf_describe_fn *dwarf_load(void)
{
	static dwarf_describe_fn *fn;
	static bool tried;
	char path[PATH_MAX];
	const char *slash;
	Dl_info info;
	void *h;

	if (tried)
		return fn;
	tried = true;
	if (dladdr((void *)dwarf_load, &info) && info.dli_fname &&
	    (slash = strrchr(info.dli_fname, '/')))
		snprintf(path, sizeof path, "%.*s/libmemo-dwarf.so", (int)(slash - info.dli_fname),
			 info.dli_fname);
	else
		snprintf(path, sizeof path, "libmemo-dwarf.so");
	if (!(h = dlopen(path, RTLD_LOCAL | RTLD_NOW))) {
		log_warn("'%s': cannot load the debug info reader: %s; prototypes are not checked "
			 "against debug info", path, dlerror());
		return NULL;
	}
	if (!(fn = (dwarf_describe_fn *)dlsym(h, DWARF_DESCRIBE_SYM)))
		log_warn("'%s': no '%s'", path, DWARF_DESCRIBE_SYM);
	return fn;
}

int signature_check_hook(struct hook *h)
{
	static struct dwarf_func d;	/* ~8 KB: off the stack; one check at a time */
	char path[PATH_MAX + 64], key[33], text[512], why[256], where[PATH_MAX + 32];
	int arg = -2, named, described;
	dwarf_describe_fn *describe;
	/* structs the debug info is to define: read it each time, as the
	 * verdict alone would not say their layout */
	struct proto *layouts = types_unsettled(&h->fn->proto) ? (struct proto *)&h->fn->proto : NULL;

	named = !layouts && verdict_names(h, path, sizeof path, key) == 0;
	if (named)
		book_load(path);
	if (!named || !book_find(key, &arg, text, sizeof text)) {
		if (!(describe = dwarf_load())) {
			described = 0;
			snprintf(why, sizeof why, "libmemo-dwarf.so cannot be loaded");
		} else {
			described = describe(h->path, (uint64_t)((uintptr_t)h->target - h->base), &d,
					     why, sizeof why);
		}
		/* without debug info, structs another function's defined do */
		if (described == 0 && layouts && !types_undefined(layouts) &&
		    signature_define_structs(layouts, NULL, &arg, text, sizeof text) < 0) {
			signature_where(h->fn, arg, where, sizeof where);
			return hook_refuse(h, REFUSE_PROTO_MISMATCH, "%s: %s", where, text);
		}
		if (described <= 0 && layouts && types_unsettled(layouts)) {
			signature_where(h->fn, -1, where, sizeof where);
			return hook_refuse(h, REFUSE_PROTO_MISMATCH, "%s: a struct is declared in no "
					   "[types] section, and no debug info describes '%s'%s%s",
					   where, h->fn->symbol, described == 0 ? ": " : "",
					   described == 0 ? why : "");
		}
		if (described < 0)
			return 0;	/* unreadable now: checked next time */
		if (layouts && signature_define_structs(layouts, &d, &arg, text, sizeof text) < 0)
			log_debug("'%s': its structs not defined by '%s'", h->fn->symbol, d.debug_file);
		else if (described == 0 || signature_compare(&h->fn->proto, &d, &arg, text, sizeof text) == 0)
			arg = -2;
		else
			log_debug("'%s': debug info read from '%s'", h->fn->symbol, d.debug_file);
		if (named)
			book_add(path, key, arg, text);
	}
	if (arg == -2)
		return 0;
	signature_where(h->fn, arg, where, sizeof where);
	return hook_refuse(h, REFUSE_PROTO_MISMATCH, "%s: %s", where, text);
}
