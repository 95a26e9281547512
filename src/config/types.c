/*
 * types: [types] declarations laid out as C lays them out on x86-64 (each
 * field at the next multiple of its alignment, the size a multiple of the
 * largest), with the runs of bytes that carry values, the psABI's way of
 * returning the struct, and its canonical text (types.h). Calls proto
 * (proto_parse_fields) and libc. Config loading only: allocates.
 */
#include "config/types.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The psABI's classes of an eightbyte, as far as a struct without long
 * double needs them. */
enum { CLASS_NONE = 0, CLASS_SSE, CLASS_INTEGER };

struct layout_walk {
	struct type_def *d;
	uint8_t cls[2];		/* of the first two eightbytes */
	bool x87;		/* a long double somewhere */
	bool too_many;		/* more runs than TYPE_MAX_RUNS */
};

/* A run of value bytes at `off`, merged with the last when they touch. */
static void add_run(struct layout_walk *w, unsigned off, unsigned len)
{
	struct type_def *d = w->d;
	struct type_run *last = d->nruns ? &d->run[d->nruns - 1] : NULL;

	if (last && last->off + last->len == off) {
		last->len += len;
		return;
	}
	if (d->nruns == TYPE_MAX_RUNS) {
		w->too_many = true;
		return;
	}
	d->run[d->nruns++] = (struct type_run){ (uint16_t)off, (uint16_t)len };
}

/* The runs of a type placed at `off`: a struct's are its fields', merged. */
static void add_runs(struct layout_walk *w, const struct scalar_type *t, unsigned off)
{
	if (!t->def) {
		add_run(w, off, t->bits);
		return;
	}
	for (int i = 0; i < t->def->nruns; i++)
		add_run(w, off + t->def->run[i].off, t->def->run[i].len);
}

/* The classes of the eightbytes a type placed at `off` covers. */
static void classify(struct layout_walk *w, const struct scalar_type *t, unsigned off)
{
	if (t->cls == SC_STRUCT) {
		for (int i = 0; i < t->def->nfields; i++)
			for (unsigned k = 0; k < t->def->field[i].count; k++)
				classify(w, &t->def->field[i].type,
					 off + t->def->field[i].off + k * t->def->field[i].type.size);
		return;
	}
	if ((t->cls == SC_FLOAT || t->cls == SC_COMPLEX) && t->bits < t->size) {
		w->x87 = true;	/* long double, long double _Complex */
		return;
	}
	for (unsigned b = off; b < off + t->size && b < 16; b += 8) {
		uint8_t c = t->cls == SC_FLOAT || t->cls == SC_COMPLEX ? CLASS_SSE : CLASS_INTEGER;
		if (c > w->cls[b / 8])
			w->cls[b / 8] = c;
	}
}

static void put(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n < cap)
		memcpy(buf + *len, s, n + 1);
	*len += n;
}

/* Place d's fields as C does: each at the next multiple of its alignment,
 * the size a multiple of the largest. 0, or -1 with err->msg (too large). */
static int place_fields(struct type_def *d, struct proto_error *err)
{
	size_t off = 0, align = 1;

	for (int i = 0; i < d->nfields; i++) {
		struct type_field *f = &d->field[i];
		size_t a = f->type.def ? f->type.def->align : f->type.size;

		off = (off + a - 1) / a * a;
		f->off = (uint16_t)off;
		off += (size_t)f->type.size * f->count;
		if (a > align)
			align = a;
		if (off > UINT16_MAX) {
			snprintf(err->msg, sizeof err->msg, "struct '%s' is larger than %d bytes",
				 d->name, UINT16_MAX);
			return -1;
		}
	}
	d->size = (uint16_t)((off + align - 1) / align * align);
	d->align = (uint16_t)align;
	return 0;
}

/* The rest of d's layout from its placed fields: runs, classes, canonical
 * text. 0, or -1 with err->msg (too many runs, a text too long). */
static int lay_out(struct type_def *d, struct proto_error *err)
{
	struct layout_walk w = { .d = d };
	size_t len = 0;
	char num[16];
	int i;

	d->nruns = 0;
	d->has_float = false;
	put(d->canon, sizeof d->canon, &len, "{");
	for (i = 0; i < d->nfields; i++) {
		const struct type_field *f = &d->field[i];

		for (unsigned k = 0; k < f->count; k++) {
			add_runs(&w, &f->type, f->off + k * f->type.size);
			classify(&w, &f->type, f->off + k * f->type.size);
		}
		d->has_float |= f->type.cls == SC_FLOAT || f->type.cls == SC_COMPLEX ||
				(f->type.def && f->type.def->has_float);
		put(d->canon, sizeof d->canon, &len, i ? "," : "");
		put(d->canon, sizeof d->canon, &len, f->type.canon);
		if (f->count > 1) {
			snprintf(num, sizeof num, "*%u", f->count);
			put(d->canon, sizeof d->canon, &len, num);
		}
	}
	put(d->canon, sizeof d->canon, &len, "}");
	if (w.too_many || len >= sizeof d->canon) {
		snprintf(err->msg, sizeof err->msg, "struct '%s' is too complex (more than %d runs of "
			 "fields between padding, or a layout too long to key)", d->name, TYPE_MAX_RUNS);
		return -1;
	}
	d->padded = !(d->nruns == 1 && d->run[0].off == 0 && d->run[0].len == d->size);
	/* How it comes back (psABI 3.2.3): over 16 bytes, in memory; else each
	 * eightbyte in the next integer (rax, rdx) or vector (xmm0, xmm1)
	 * register of its class. A long double in 16 bytes or less is the
	 * x87 class (a lone long double comes back in st(0)), which libffi's
	 * struct returns do not follow: such a struct goes by pointer only. */
	d->by_value = !(w.x87 && d->size <= 16);
	d->ret = d->size > 16 ? TYPE_RET_MEMORY : TYPE_RET_REGS;
	d->ret_regs = 0;
	if (d->ret == TYPE_RET_REGS) {
		int ints = 0, sses = 0;

		for (i = 0; i < 2 && i * 8 < d->size; i++) {
			if (w.cls[i] == CLASS_INTEGER)
				d->ret_regs |= ints++ ? TYPE_REG_RDX : TYPE_REG_RAX;
			else if (w.cls[i] == CLASS_SSE)
				d->ret_regs |= sses++ ? TYPE_REG_XMM1 : TYPE_REG_XMM0;
		}
	}
	return 0;
}

static bool is_name(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

int types_declare(struct type_def **types, const char *key, const char *value,
		  const char *file, int line, struct proto_error *err)
{
	bool tagged = !strncmp(key, "struct", 6) && isspace((unsigned char)key[6]);
	const char *name = tagged ? key + 6 : key;
	struct type_def *d;
	size_t n;

	/* `struct range` or a typedef's name, `div_t`: one name space */
	memset(err, 0, sizeof *err);
	while (isspace((unsigned char)*name))
		name++;
	n = strlen(name);
	if (!is_name(name, n) || !strcmp(name, "struct") || !strcmp(name, "union")) {
		snprintf(err->msg, sizeof err->msg, "'%s' is not a struct declaration (write "
			 "'struct NAME = { double lo; double hi; }', or 'NAME = { ... }' for a typedef "
			 "name)", key);
		return -1;
	}
	if (n >= PROTO_MAX_NAME) {
		snprintf(err->msg, sizeof err->msg, "name '%s' is longer than %d characters", name,
			 PROTO_MAX_NAME - 1);
		return -1;
	}
	for (d = *types; d; d = d->next)
		if (!strcmp(d->name, name))
			break;
	if (d && d->line) {
		snprintf(err->msg, sizeof err->msg, "'%s' is declared twice in [types] (first at %.100s:%d)",
			 name, d->file, d->line);
		return -1;
	}
	if (!d) {
		if (!(d = calloc(1, sizeof *d))) {
			snprintf(err->msg, sizeof err->msg, "out of memory");
			return -1;
		}
		strcpy(d->name, name);
		d->next = *types;
		*types = d;
	}
	if (proto_parse_fields(value, d, types, err) < 0 || place_fields(d, err) < 0 ||
	    lay_out(d, err) < 0) {
		d->nfields = 0;
		return -1;
	}
	snprintf(d->file, sizeof d->file, "%s", file);
	d->line = line;
	d->bare = !tagged;	/* as its declaration spells it */
	return 0;
}

int types_define(struct type_def *d, const struct type_field *fields, int n, unsigned size,
		 struct proto_error *err)
{
	memset(err, 0, sizeof *err);
	if (n > TYPE_MAX_FIELDS) {
		snprintf(err->msg, sizeof err->msg, "'struct %s' has more than %d fields", d->name,
			 TYPE_MAX_FIELDS);
		return -1;
	}
	memcpy(d->field, fields, (size_t)n * sizeof *fields);
	d->nfields = n;
	if (place_fields(d, err) < 0)
		return -1;
	/* A nested struct's own padding does not follow from its fields,
	 * flattened: such a layout must be declared, not read. */
	for (int i = 0; i < n; i++)
		if (d->field[i].off != fields[i].off || d->size != size) {
			snprintf(err->msg, sizeof err->msg, "'struct %s' is not laid out as its fields "
				 "alone say (a nested struct's padding): declare it in [types]", d->name);
			return -1;
		}
	if (lay_out(d, err) < 0)
		return -1;
	snprintf(d->file, sizeof d->file, "the debug info");
	d->line = -1;
	return 0;
}

/* A struct or complex argument or return, its size and text from its
 * declaration. */
static int settle_type(struct scalar_type *t, bool by_value, const char *what,
		       struct proto_error *err)
{
	const struct type_def *d = t->def;
	uint16_t bits = 0;

	if (!d)
		return 0;
	if (!d->line && d->bare) {	/* a typo (`flot x`) as much as a typedef */
		snprintf(err->msg, sizeof err->msg, "unknown type '%s' of %s (known: C integer and "
			 "floating types, size_t, intN_t, uintN_t..., a struct declared in [types])",
			 d->name, what);
		return -1;
	}
	if (!d->line)	/* `struct NAME` the debug info may describe: types_define */
		return 0;
	if (by_value && !d->by_value) {
		snprintf(err->msg, sizeof err->msg, "'%.40s' of %.64s holds a long double in 16 bytes: "
			 "libffi does not pass that by value as the psABI says (pass it by pointer)",
			 d->name, what);
		return -1;
	}
	for (int i = 0; i < d->nruns; i++)
		bits += d->run[i].len;
	t->size = d->size;
	t->bits = bits;
	t->canon = d->canon;
	return 0;
}

int types_settle(struct proto *p, int *arg, struct proto_error *err)
{
	char what[PROTO_MAX_NAME + 16];

	memset(err, 0, sizeof *err);
	*arg = -1;
	if (settle_type(&p->ret, true, "the return", err) < 0)
		return -1;
	p->uses_float |= p->ret.def && p->ret.def->has_float;
	for (int i = 0; i < p->nargs; i++) {
		struct proto_arg *a = &p->args[i];

		*arg = i;
		snprintf(what, sizeof what, "parameter '%s'", a->name);
		if (settle_type(&a->type, a->kind == ARG_SCALAR, what, err) < 0)
			return -1;
		p->uses_float |= a->type.def && a->type.def->has_float;
	}
	*arg = -1;
	if (proto_canonical(p, NULL, 0) >= PROTO_CANON_MAX) {
		snprintf(err->msg, sizeof err->msg, "prototype is too complex (its canonical text "
			 "exceeds %d characters)", PROTO_CANON_MAX - 1);
		return -1;
	}
	return 0;
}

void types_release(struct type_def **types)
{
	struct type_def *d;

	while ((d = *types)) {
		*types = d->next;
		free(d);
	}
}

const struct type_def *types_undefined(const struct proto *p)
{
	if (p->ret.cls == SC_STRUCT && !p->ret.def->line)
		return p->ret.def;
	for (int i = 0; i < p->nargs; i++)
		if (p->args[i].type.cls == SC_STRUCT && !p->args[i].type.def->line)
			return p->args[i].type.def;
	return NULL;
}

bool types_unsettled(const struct proto *p)
{
	if (p->ret.cls == SC_STRUCT && p->ret.size != p->ret.def->size)
		return true;
	for (int i = 0; i < p->nargs; i++)
		if (p->args[i].type.cls == SC_STRUCT && p->args[i].type.size != p->args[i].type.def->size)
			return true;
	return types_undefined(p) != NULL;
}
