/*
 * proto: parses the prototype language (README.md "Configure") into struct
 * proto, evaluates array lengths for one call, and writes the canonical text
 * that goes into the key. Calls only libc. proto_parse, proto_set_return and
 * proto_canonical run at start-up; len_eval is hot-path safe (no allocation,
 * no lock, any thread, after fork).
 *
 * Grammar (C, with lengths from other arguments as C99 VLA parameters):
 *   proto  := specs stars NAME '(' params ')' [';']
 *   params := 'void' | ε | param (',' param)*
 *   param  := ['out' | 'inout' | 'opaque'] specs stars NAME ['[' len ']']
 *   len    := term (('+'|'-') term)* ; term := fact (('*'|'/') fact)*
 *   fact   := NUMBER | NAME | '(' len ')'
 * A type may be `struct NAME` or a typedef name of [types] (types.h), by
 * value or as elements, and `float | double | long double _Complex`.
 * A length may name any integer scalar argument, earlier or later, or one
 * passed by reference (`const int *lda`: in a length, its value). A divisor
 * that is 0 without any argument (`n / 0`, `n / (2 - 2)`) is refused here;
 * one that is 0 by an argument's value makes len_eval fail that call.
 */
#include "config/proto.h"
#include "config/types.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every type a prototype can name. .canon of a parsed type always points
 * into this table, or into a struct of [types] (its type_def, which the
 * config's list owns), so struct proto holds no allocation. */
static const struct scalar_type T_I8 = { SC_SINT, 1, 1, "i8", NULL };
static const struct scalar_type T_I16 = { SC_SINT, 2, 2, "i16", NULL };
static const struct scalar_type T_I32 = { SC_SINT, 4, 4, "i32", NULL };
static const struct scalar_type T_I64 = { SC_SINT, 8, 8, "i64", NULL };
static const struct scalar_type T_U8 = { SC_UINT, 1, 1, "u8", NULL };
static const struct scalar_type T_U16 = { SC_UINT, 2, 2, "u16", NULL };
static const struct scalar_type T_U32 = { SC_UINT, 4, 4, "u32", NULL };
static const struct scalar_type T_U64 = { SC_UINT, 8, 8, "u64", NULL };
static const struct scalar_type T_BOOL = { SC_BOOL, 1, 1, "bool", NULL };
static const struct scalar_type T_F32 = { SC_FLOAT, 4, 4, "f32", NULL };
static const struct scalar_type T_F64 = { SC_FLOAT, 8, 8, "f64", NULL };
static const struct scalar_type T_F80 = { SC_FLOAT, 16, 10, "f80", NULL };
static const struct scalar_type T_VOID = { SC_VOID, 0, 0, "void", NULL };
/* The element of `void name[LEN]`: bytes. */
static const struct scalar_type T_BYTES = { SC_VOID, 1, 1, "void", NULL };
static const struct scalar_type T_PTR = { SC_PTR, 8, 8, "ptr", NULL };
/* A `char *` return: a pointer that may take `return = static | malloc`. */
static const struct scalar_type T_STRPTR = { SC_PTR, 8, 8, "str", NULL };
/* Complex values: (re, im) pairs, returned as the psABI says (types.h). A
 * long double _Complex's 6 bytes of padding after each part are never keyed. */
static const struct type_def D_C32 = { .size = 8, .align = 4, .has_float = true, .by_value = true,
				       .ret = TYPE_RET_REGS, .ret_regs = TYPE_REG_XMM0,
				       .nruns = 1, .run = { { 0, 8 } }, .canon = "c32" };
static const struct type_def D_C64 = { .size = 16, .align = 8, .has_float = true, .by_value = true,
				       .ret = TYPE_RET_REGS, .ret_regs = TYPE_REG_XMM0 | TYPE_REG_XMM1,
				       .nruns = 1, .run = { { 0, 16 } }, .canon = "c64" };
static const struct type_def D_C80 = { .size = 32, .align = 16, .has_float = true, .by_value = true,
				       .padded = true, .ret = TYPE_RET_X87,
				       .nruns = 2, .run = { { 0, 10 }, { 16, 10 } }, .canon = "c80" };
static const struct scalar_type T_C32 = { SC_COMPLEX, 8, 8, "c32", &D_C32 };
static const struct scalar_type T_C64 = { SC_COMPLEX, 16, 16, "c64", &D_C64 };
static const struct scalar_type T_C80 = { SC_COMPLEX, 32, 20, "c80", &D_C80 };

/* Type names that stand alone (typedefs of <stddef.h>, <stdint.h>,
 * <sys/types.h>, <stdbool.h>, <wchar.h> on x86-64 Linux). */
static const struct {
	const char *name;
	const struct scalar_type *type;
} typedefs[] = {
	{ "size_t", &T_U64 },	 { "ssize_t", &T_I64 },	  { "ptrdiff_t", &T_I64 },
	{ "intptr_t", &T_I64 },	 { "uintptr_t", &T_U64 }, { "off_t", &T_I64 },
	{ "off64_t", &T_I64 },	 { "wchar_t", &T_I32 },	  { "int8_t", &T_I8 },
	{ "int16_t", &T_I16 },	 { "int32_t", &T_I32 },	  { "int64_t", &T_I64 },
	{ "uint8_t", &T_U8 },	 { "uint16_t", &T_U16 },  { "uint32_t", &T_U32 },
	{ "uint64_t", &T_U64 },	 { "bool", &T_BOOL },	  { "_Bool", &T_BOOL },
};

/* Qualifiers are accepted wherever they appear and change nothing but
 * `const`, which marks an input. The __ spellings come from glibc headers. */
static const char *const qualifiers[] = {
	"const", "__const", "volatile", "__volatile__", "restrict", "__restrict",
	"__restrict__", "register", "extern", "static", "inline", "__inline",
};

/* ---- tokens ---- */

#define MAX_TOKENS 512

enum tok_kind { TK_END = 0, TK_IDENT, TK_NUM, TK_PUNCT, TK_ELLIPSIS };

struct token {
	uint8_t kind;
	char c;		/* TK_PUNCT */
	int col;	/* 1-based */
	int len;
	const char *s;
};

struct parser {
	const char *text;
	struct token *tok;	/* room for max_tok, on the caller's stack (parser_tokens) */
	int max_tok;
	int ntok, pos;
	struct proto *p;
	struct proto_error *err;
	/* [types] structs `struct NAME` may name; NULL: structs are refused */
	struct type_def **types;
	struct strpool *names;	/* where the function's name goes */
	bool fields;		/* parsing a [types] body: braces are tokens */
	/* Token index of each LEN_ARG name, resolved once every parameter is
	 * known (< MAX_TOKENS: short, so that the frame is small). */
	short len_tok[PROTO_MAX_ARGS][PROTO_MAX_LEN_CODE];
};

/* How many tokens `text` may need: one a character at most, and the end's.
 * The room is sized by it on the parsing function's stack, so that a
 * prototype of a line touches no stack page a room for the longest would
 * (each a page fault, in every process that reads a config). */
static int parser_tokens(const char *text)
{
	size_t n = strlen(text) + 1;

	return n < MAX_TOKENS ? (int)n : MAX_TOKENS;
}

static int fail(struct parser *ps, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *ps, int col, const char *fmt, ...)
{
	va_list ap;

	ps->err->col = col;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int tokenize(struct parser *ps)
{
	const char *s = ps->text;
	int i = 0;

	while (s[i]) {
		struct token *t = &ps->tok[ps->ntok];
		int start = i;

		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (ps->ntok == ps->max_tok - 1)
			return fail(ps, i + 1, "prototype is too long");
		if (isalpha((unsigned char)s[i]) || s[i] == '_') {
			while (isalnum((unsigned char)s[i]) || s[i] == '_')
				i++;
			t->kind = TK_IDENT;
		} else if (isdigit((unsigned char)s[i])) {
			while (isalnum((unsigned char)s[i]) || s[i] == '_')
				i++;
			t->kind = TK_NUM;
		} else if (!strncmp(s + i, "...", 3)) {
			i += 3;
			t->kind = TK_ELLIPSIS;
		} else if (s[i] == ':' && s[i + 1] == ':') {	/* C++: `ns::f`, `std::string` */
			i += 2;
			t->c = ':';
			t->kind = TK_PUNCT;
		} else if (strchr(ps->fields ? "()[],*+-/;<>&{}" : "()[],*+-/;<>&", s[i])) {
			t->c = s[i++];
			t->kind = TK_PUNCT;
		} else {
			return fail(ps, i + 1, "unexpected character '%c'", s[i]);
		}
		t->s = s + start;
		t->len = i - start;
		t->col = start + 1;
		ps->ntok++;
	}
	ps->tok[ps->ntok] = (struct token){ .kind = TK_END, .col = i + 1, .s = s + i };
	return 0;
}

static const struct token *peek(const struct parser *ps, int ahead)
{
	int i = ps->pos + ahead;
	return &ps->tok[i < ps->ntok ? i : ps->ntok];
}

static bool is_punct(const struct token *t, char c)
{
	return t->kind == TK_PUNCT && t->c == c;
}

/* The first letters first: a name is checked against every keyword and
 * typedef, and most differ there (a strlen call apiece cost each start
 * ~1.5 k instructions a prototype). */
static inline __attribute__((always_inline)) bool is_word(const struct token *t, const char *w)
{
	return t->kind == TK_IDENT && t->s[0] == w[0] && (int)strlen(w) == t->len &&
	       !strncmp(t->s, w, t->len);
}

/* How a token reads in a message: "x", ")", or "the end". */
static const char *tok_text(const struct token *t, char *buf, size_t cap)
{
	if (t->kind == TK_END)
		return "the end";
	snprintf(buf, cap, "'%.*s'", t->len, t->s);
	return buf;
}

static int copy_name(struct parser *ps, const struct token *t, char *dst)
{
	if (t->len >= PROTO_MAX_NAME)
		return fail(ps, t->col, "name '%.*s' is longer than %d characters",
			    t->len, t->s, PROTO_MAX_NAME - 1);
	memcpy(dst, t->s, t->len);
	dst[t->len] = '\0';
	return 0;
}

/* A function's name, `f` or qualified as C++ writes it (`model::energy`),
 * of any length: the tokens joined (no spaces), into ps->names; the tokens
 * are consumed. */
static int copy_func_name(struct parser *ps, const char **dst)
{
	const struct token *first = peek(ps, 0), *last = first;
	char *name, *to;

	ps->pos++;
	while (is_punct(peek(ps, 0), ':') && peek(ps, 1)->kind == TK_IDENT) {
		last = peek(ps, 1);
		ps->pos += 2;
	}
	/* the text from the first token to the last, its spaces then dropped */
	name = strpool_add(ps->names, first->s, (size_t)(last->s + last->len - first->s));
	if (!name)
		return fail(ps, first->col, "out of memory");
	*dst = name;
	for (to = name; *name; name++)
		if (!isspace((unsigned char)*name))
			*to++ = *name;
	*to = '\0';
	return 0;
}

/* ---- declaration specifiers ---- */

#define UNKNOWN_TYPE "unknown type '%.*s' (known: C integer and floating types, size_t, " \
	"intN_t, uintN_t..., a struct declared in [types]; a handle is 'opaque void *name')"

struct spec {
	int col;		/* first token */
	int ntypes;		/* type keywords and names seen */
	bool is_const;
	int n_signed, n_unsigned, n_char, n_short, n_int, n_long, n_float, n_double, n_void;
	int n_complex;
	const struct scalar_type *named;	/* a typedef name or enum */
	bool aggregate;				/* struct or union */
	bool is_union;
	bool word;				/* a typedef name: `div_t` */
	const struct token *tag;		/* struct or union: its tag; or the typedef name */
	char spelling[96];			/* the type as written, without qualifiers */
};

/* Appends " TOKEN" (cut to fit), by hand: a process's first printf costs
 * it ~6 us, and every process that reads a config parses a prototype. */
static void spell(struct spec *sp, const struct token *t)
{
	size_t n = strlen(sp->spelling), cap = sizeof sp->spelling - 1, len = t->len;

	if (n && n < cap)
		sp->spelling[n++] = ' ';
	if (len > cap - n)
		len = cap - n;
	memcpy(sp->spelling + n, t->s, len);
	sp->spelling[n + len] = '\0';
}

static bool is_qualifier(const struct token *t)
{
	size_t i;

	for (i = 0; i < sizeof qualifiers / sizeof qualifiers[0]; i++)
		if (is_word(t, qualifiers[i]))
			return true;
	return false;
}

static bool is_const_word(const struct token *t)
{
	return is_word(t, "const") || is_word(t, "__const");
}

static const struct scalar_type *typedef_of(const struct token *t)
{
	size_t i;

	for (i = 0; i < sizeof typedefs / sizeof typedefs[0]; i++)
		if (is_word(t, typedefs[i].name))
			return typedefs[i].type;
	return NULL;
}

/* Read qualifiers and type words. Stops at the first token that is neither
 * (the declarator). Returns 0 or -1 (error set). */
static int parse_specs(struct parser *ps, struct spec *sp, bool opaque)
{
	static const struct {
		const char *w;
		size_t off;
	} words[] = {
		{ "signed", offsetof(struct spec, n_signed) },
		{ "__signed__", offsetof(struct spec, n_signed) },
		{ "unsigned", offsetof(struct spec, n_unsigned) },
		{ "char", offsetof(struct spec, n_char) },
		{ "short", offsetof(struct spec, n_short) },
		{ "int", offsetof(struct spec, n_int) },
		{ "long", offsetof(struct spec, n_long) },
		{ "float", offsetof(struct spec, n_float) },
		{ "double", offsetof(struct spec, n_double) },
		{ "void", offsetof(struct spec, n_void) },
		{ "_Complex", offsetof(struct spec, n_complex) },
		{ "__complex__", offsetof(struct spec, n_complex) },
		{ "complex", offsetof(struct spec, n_complex) },
	};
	char buf[80];

	memset(sp, 0, sizeof *sp);
	sp->col = peek(ps, 0)->col;
	for (;;) {
		const struct token *t = peek(ps, 0);
		const struct scalar_type *td;
		size_t i;

		if (t->kind != TK_IDENT)
			break;
		if (is_qualifier(t)) {
			sp->is_const |= is_const_word(t);
			ps->pos++;
			continue;
		}
		for (i = 0; i < sizeof words / sizeof words[0]; i++)
			if (is_word(t, words[i].w))
				break;
		if (i < sizeof words / sizeof words[0]) {
			(*(int *)((char *)sp + words[i].off))++;
			sp->ntypes++;
			spell(sp, t);
			ps->pos++;
			continue;
		}
		if (is_word(t, "struct") || is_word(t, "union") || is_word(t, "enum")) {
			const struct token *tag = peek(ps, 1);

			if (tag->kind != TK_IDENT)
				return fail(ps, tag->col, "expected a tag name after '%.*s', found %s",
					    t->len, t->s, tok_text(tag, buf, sizeof buf));
			/* A tag is a C identifier: a [types] struct is the config's
			 * own name, and the debug info names a C++ class without its
			 * namespace (DW_AT_name), as `struct cls` matches it. */
			if (is_punct(peek(ps, 2), ':')) {
				int last = 1;

				while (is_punct(peek(ps, last + 1), ':') && peek(ps, last + 2)->kind == TK_IDENT)
					last += 2;
				return fail(ps, tag->col, "write the %.*s's name without its namespace "
					    "('%.*s %.*s', as the debug info names it, or a name of [types])",
					    t->len, t->s, t->len, t->s, peek(ps, last)->len, peek(ps, last)->s);
			}
			if (is_word(t, "enum")) {
				sp->named = &T_I32;	/* the ABI of an enum is int's */
			} else {
				sp->aggregate = true;
				sp->is_union = is_word(t, "union");
				sp->tag = tag;
			}
			sp->ntypes++;
			spell(sp, t);
			spell(sp, tag);
			ps->pos += 2;
			continue;
		}
		td = typedef_of(t);
		if (td) {
			if (!sp->named)
				sp->named = td;
			sp->ntypes++;
			spell(sp, t);
			ps->pos++;
			continue;
		}
		if (!sp->ntypes) {
			const struct token *next = peek(ps, 1);

			/* `div_t x`: a typedef name of [types], which any
			 * file may declare (types_settle checks it is) */
			if (!opaque && ps->types && (next->kind == TK_IDENT || is_punct(next, '*'))) {
				sp->aggregate = true;
				sp->tag = t;
				sp->word = true;
				sp->ntypes++;
				spell(sp, t);
				ps->pos++;
				continue;
			}

			/* `FILE *f`, `mytype x`: a type we do not know, which is
			 * fine behind an opaque pointer. A lone name is a
			 * parameter whose type is missing. */
			if (opaque && (next->kind == TK_IDENT || is_punct(next, '*'))) {
				sp->aggregate = true;
				sp->ntypes++;
				spell(sp, t);
				ps->pos++;
				continue;
			}
			if (next->kind == TK_IDENT || is_punct(next, '*'))
				return fail(ps, t->col, UNKNOWN_TYPE, t->len, t->s);
			return fail(ps, t->col, "missing type before '%.*s'", t->len, t->s);
		}
		break;
	}
	if (!sp->ntypes) {
		const struct token *t = peek(ps, 0);
		return fail(ps, t->col, "expected a type, found %s", tok_text(t, buf, sizeof buf));
	}
	return 0;
}

/* The scalar type of a specifier list (in any order, as C allows), or NULL
 * for a combination C refuses. Aggregates are the caller's business. */
static const struct scalar_type *spec_type(const struct spec *sp)
{
	int sign = sp->n_signed + sp->n_unsigned;

	if (sp->named)
		return sp->ntypes == 1 ? sp->named : NULL;
	if (sp->n_complex) {
		if (sp->n_complex == 1 && sp->n_float && sp->ntypes == 2)
			return &T_C32;
		if (sp->n_complex == 1 && sp->n_double && sp->ntypes == 2)
			return &T_C64;
		if (sp->n_complex == 1 && sp->n_double && sp->n_long == 1 && sp->ntypes == 3)
			return &T_C80;
		return NULL;
	}
	if (sign > 1 || sp->n_char > 1 || sp->n_short > 1 || sp->n_int > 1 || sp->n_long > 2)
		return NULL;
	if (sp->n_void || sp->n_float)
		return sp->ntypes > 1 ? NULL : sp->n_void ? &T_VOID : &T_F32;
	if (sp->n_double) {
		if (sp->ntypes == 1)
			return &T_F64;
		return sp->ntypes == 2 && sp->n_long == 1 ? &T_F80 : NULL;
	}
	if (sp->n_char) {
		if (sp->n_short || sp->n_int || sp->n_long)
			return NULL;
		return sp->n_unsigned ? &T_U8 : &T_I8;	/* char is signed on x86-64 */
	}
	if (sp->n_short && sp->n_long)
		return NULL;
	if (sp->n_short)
		return sp->n_unsigned ? &T_U16 : &T_I16;
	if (sp->n_long)
		return sp->n_unsigned ? &T_U64 : &T_I64;
	return sp->n_unsigned ? &T_U32 : &T_I32;	/* int, signed, unsigned */
}

static const struct scalar_type *spec_type_checked(struct parser *ps, const struct spec *sp)
{
	const struct scalar_type *t = spec_type(sp);

	if (!t)
		fail(ps, sp->col, "invalid type '%s'", sp->spelling);
	return t;
}

/* The struct of [types] that `struct NAME` names, into *out: the list's
 * entry, added undeclared when the name is new, unless `declared` asks for
 * one declared already (a field's: its layout is needed now). Its size and
 * text are what is known yet; types_settle gives the final ones. */
static int struct_type(struct parser *ps, const struct spec *sp, bool declared,
		       struct scalar_type *out)
{
	const struct token *t = sp->tag;
	struct type_def *d;
	uint16_t bits = 0;

	if (sp->is_union)
		return fail(ps, sp->col, "'%s' is not supported (a union cannot be keyed field by field; "
			    "pass it as 'const void NAME[SIZE]' with its size in bytes)", sp->spelling);
	if (sp->ntypes != 1)
		return fail(ps, sp->col, "invalid type '%s'", sp->spelling);
	for (d = *ps->types; d; d = d->next)
		if ((int)strlen(d->name) == t->len && !strncmp(d->name, t->s, t->len))
			break;
	if (declared && (!d || !d->line))
		return fail(ps, t->col, "'%s' is not declared yet (declare it above, in [types])",
			    sp->spelling);
	if (!d) {
		if (t->len >= PROTO_MAX_NAME)
			return fail(ps, t->col, "name '%.*s' is longer than %d characters", t->len, t->s,
				    PROTO_MAX_NAME - 1);
		if (!(d = calloc(1, sizeof *d)))
			return fail(ps, t->col, "out of memory");
		memcpy(d->name, t->s, t->len);
		d->bare = sp->word;
		d->next = *ps->types;
		*ps->types = d;
	}
	for (int i = 0; i < d->nruns; i++)
		bits += d->run[i].len;
	*out = (struct scalar_type){ SC_STRUCT, d->size, bits, d->canon, d };
	return 0;
}

/* `FILE *f`: a pointer to a typedef name no [types] declared so far is an
 * unknown type, as it always was (a struct has no pointer without length). */
static int word_pointer(struct parser *ps, const struct spec *sp)
{
	const struct token *t = sp->tag;

	for (const struct type_def *d = *ps->types; d; d = d->next)
		if (d->line && (int)strlen(d->name) == t->len && !strncmp(d->name, t->s, t->len))
			return 0;
	return fail(ps, t->col, UNKNOWN_TYPE, t->len, t->s);
}

/* '*' with its own qualifiers (`* const`, `*restrict`), any number. */
static int parse_stars(struct parser *ps)
{
	int n = 0;

	while (is_punct(peek(ps, 0), '*')) {
		ps->pos++;
		n++;
		while (peek(ps, 0)->kind == TK_IDENT && is_qualifier(peek(ps, 0)))
			ps->pos++;
	}
	return n;
}

/* ---- lengths ---- */

struct len_state {
	struct parser *ps;
	int arg;		/* the array whose length this is */
	struct len_expr *e;
};

static int len_emit(struct len_state *ls, int col, uint8_t op, int64_t val)
{
	struct len_expr *e = ls->e;

	if (e->n == PROTO_MAX_LEN_CODE)
		return fail(ls->ps, col, "length of '%s' is too long (at most %d numbers, names and operators)",
			    ls->ps->p->args[ls->arg].name, PROTO_MAX_LEN_CODE);
	e->code[e->n].op = op;
	e->code[e->n].val = val;
	e->n++;
	return 0;
}

static int len_sum(struct len_state *ls);

static int len_factor(struct len_state *ls)
{
	struct parser *ps = ls->ps;
	const struct token *t = peek(ps, 0);
	const char *arr = ps->p->args[ls->arg].name;
	char buf[80];

	if (t->kind == TK_NUM) {
		char *end;
		unsigned long long v;
		char num[32];

		if (t->len >= (int)sizeof num)
			return fail(ps, t->col, "number '%.*s' is too large", t->len, t->s);
		memcpy(num, t->s, t->len);
		num[t->len] = '\0';
		errno = 0;
		v = strtoull(num, &end, 0);
		/* An integer suffix (10u, 8UL) means nothing here. */
		while (*end && strchr("uUlL", *end))
			end++;
		if (*end)
			return fail(ps, t->col, "bad number '%s' in length of '%s'", num, arr);
		if (errno || v > INT64_MAX)
			return fail(ps, t->col, "number '%s' is too large", num);
		ps->pos++;
		return len_emit(ls, t->col, LEN_LIT, (int64_t)v);
	}
	if (t->kind == TK_IDENT) {
		if (is_word(t, "sizeof"))
			return fail(ps, t->col, "'sizeof' is not known in lengths (write the size in bytes)");
		ps->pos++;
		if (len_emit(ls, t->col, LEN_ARG, -1) < 0)
			return -1;
		ps->len_tok[ls->arg][ls->e->n - 1] = ps->pos - 1;
		return 0;
	}
	if (is_punct(t, '(')) {
		ps->pos++;
		if (len_sum(ls) < 0)
			return -1;
		t = peek(ps, 0);
		if (!is_punct(t, ')'))
			return fail(ps, t->col, "missing ')' in length of '%s'", arr);
		ps->pos++;
		return 0;
	}
	/* `a[*lda * *n]`, as the C body would read it: in a length, an
	 * argument passed by reference already stands for its value. */
	if (is_punct(t, '*') && peek(ps, 1)->kind == TK_IDENT)
		return fail(ps, t->col, "'*%.*s' in length of '%s': write '%.*s' (in a length, an "
			    "argument passed by reference stands for its value)", peek(ps, 1)->len,
			    peek(ps, 1)->s, arr, peek(ps, 1)->len, peek(ps, 1)->s);
	return fail(ps, t->col, "expected a number or an argument name in length of '%s', found %s",
		    arr, tok_text(t, buf, sizeof buf));
}

/* Whether code[from..] (a divisor just parsed) names no argument and is 0:
 * a division by it fails every call, so it is refused at load. A divisor
 * that depends on an argument is checked by len_eval, call by call. */
static bool len_const_zero(const struct len_expr *e, int from, const struct proto *p)
{
	struct len_expr c = { .n = 0 };
	uint64_t v;
	int i;

	for (i = from; i < e->n; i++) {
		if (e->code[i].op == LEN_ARG)
			return false;
		c.code[c.n++] = e->code[i];
	}
	return len_eval(&c, p, NULL, &v) == 0 && v == 0;
}

static int len_product(struct len_state *ls)
{
	if (len_factor(ls) < 0)
		return -1;
	for (;;) {
		const struct token *t = peek(ls->ps, 0);
		int from = ls->e->n;

		if (!is_punct(t, '*') && !is_punct(t, '/'))
			return 0;
		ls->ps->pos++;
		if (len_factor(ls) < 0)
			return -1;
		if (t->c == '/' && len_const_zero(ls->e, from, ls->ps->p))
			return fail(ls->ps, t->col, "division by zero in length of '%s'",
				    ls->ps->p->args[ls->arg].name);
		if (len_emit(ls, t->col, t->c == '*' ? LEN_MUL : LEN_DIV, 0) < 0)
			return -1;
	}
}

static int len_sum(struct len_state *ls)
{
	if (len_product(ls) < 0)
		return -1;
	for (;;) {
		const struct token *t = peek(ls->ps, 0);

		if (!is_punct(t, '+') && !is_punct(t, '-'))
			return 0;
		ls->ps->pos++;
		if (len_product(ls) < 0 || len_emit(ls, t->col, t->c == '+' ? LEN_ADD : LEN_SUB, 0) < 0)
			return -1;
	}
}

static bool is_integer(const struct scalar_type *t)
{
	return t->cls == SC_SINT || t->cls == SC_UINT;
}

/* An argument's index by name; -1 if none. */
static int proto_arg_index(const struct proto *p, const char *name)
{
	int i;

	for (i = 0; i < p->nargs; i++)
		if (!strcmp(p->args[i].name, name))
			return i;
	return -1;
}

/* How C names an integer type that may be passed by reference; NULL for
 * bytes, which are not (by_reference). */
static const char *int_name(const struct scalar_type *t)
{
	bool u = t->cls == SC_UINT;

	if (!is_integer(t) || t->size < 2)
		return NULL;
	return t->size == 2 ? (u ? "unsigned short" : "short") :
	       t->size == 4 ? (u ? "unsigned" : "int") : (u ? "unsigned long" : "long");
}

/* Lengths may name later arguments, so names are resolved once all are read. */
static int resolve_lengths(struct parser *ps)
{
	struct proto *p = ps->p;
	int i, j;

	for (i = 0; i < p->nargs; i++) {
		struct proto_arg *a = &p->args[i];

		for (j = 0; j < a->len.n; j++) {
			const struct token *t;
			char name[PROTO_MAX_NAME];
			int k;

			if (a->len.code[j].op != LEN_ARG)
				continue;
			t = &ps->tok[ps->len_tok[i][j]];
			if (t->len >= PROTO_MAX_NAME)
				return fail(ps, t->col, "unknown argument '%.*s' in length of '%s'",
					    t->len, t->s, a->name);
			memcpy(name, t->s, t->len);
			name[t->len] = '\0';
			k = proto_arg_index(p, name);
			if (k < 0)
				return fail(ps, t->col, "unknown argument '%s' in length of '%s'",
					    name, a->name);
			if (p->args[k].kind == ARG_IN && int_name(&p->args[k].type))
				return fail(ps, t->col,
					    "length of '%s' uses '%s', an array (one value passed by "
					    "reference is written 'const %s *%s')", a->name, name,
					    int_name(&p->args[k].type), name);
			if ((p->args[k].kind != ARG_SCALAR && p->args[k].kind != ARG_REF) ||
			    !is_integer(&p->args[k].type))
				return fail(ps, t->col,
					    "length of '%s' uses '%s', which is not an integer argument",
					    a->name, name);
			a->len.code[j].val = k;
		}
	}
	return 0;
}

/* ---- parameters ---- */

/* `double (*f)(double)`: report it by the name inside, if any. */
static int fail_function_pointer(struct parser *ps, const struct token *open)
{
	const struct token *t = peek(ps, 1);

	if (is_punct(t, '*') && peek(ps, 2)->kind == TK_IDENT)
		t = peek(ps, 2);
	if (t->kind == TK_IDENT)
		return fail(ps, open->col,
			    "function pointer '%.*s' is not supported (write 'opaque void *%.*s' "
			    "only if the function it points to never changes the result)",
			    t->len, t->s, t->len, t->s);
	return fail(ps, open->col, "function pointers are not supported");
}

/* `const T *name`, a scalar passed by reference, as Fortran passes every
 * argument: any scalar but a byte, since `const unsigned char *` and
 * `const void *` are buffers far more often than one value (write those
 * `const unsigned char x[1]` when they are one). */
static bool by_reference(const struct scalar_type *type)
{
	return type->cls != SC_VOID && type->size > 1;
}

/* ---- C++ ---- */

/* `std :: WORD` at `ahead` tokens from the parser's position? */
static bool at_std(const struct parser *ps, int ahead, const char *word)
{
	return is_word(peek(ps, ahead), "std") && is_punct(peek(ps, ahead + 1), ':') &&
	       is_word(peek(ps, ahead + 2), word);
}

/* `const` words, any number: whether there was one. */
static bool skip_consts(struct parser *ps)
{
	bool any = false;

	while (is_const_word(peek(ps, 0))) {
		any = true;
		ps->pos++;
	}
	return any;
}

/*
 * `const std::vector<T> &name` and `const std::string &name` (`const` may
 * follow the type, as g++ prints it): inputs C++ passes by reference,
 * hashed by their contents (store/cxx_layout.c knows libstdc++'s layouts).
 * T is a plain scalar: vector<bool> packs bits, a long double has padding.
 * Returns 1 when the parameter is one (*a filled but for its name), 0 when
 * it is not (nothing consumed), -1 on an error.
 */
static int parse_cxx_type(struct parser *ps, struct proto_arg *a)
{
	int start = ps->pos;
	bool is_const = skip_consts(ps);
	const struct token *t;
	char buf[80];

	if (at_std(ps, 0, "string")) {
		a->kind = ARG_CXX_STRING;
		a->type = T_I8;
		ps->pos += 3;
	} else if (at_std(ps, 0, "vector") && is_punct(peek(ps, 3), '<')) {
		const struct scalar_type *type = NULL;
		struct spec sp;

		ps->pos += 4;
		if (parse_specs(ps, &sp, false) < 0 || (!sp.aggregate && !(type = spec_type_checked(ps, &sp))))
			return -1;
		if (sp.aggregate || type->cls == SC_VOID || type->cls == SC_BOOL || type->bits != type->size)
			return fail(ps, sp.col, "'std::vector<%s>' is not supported (its elements must be "
				    "integers, float or double; else write 'opaque void *name')", sp.spelling);
		t = peek(ps, 0);
		if (!is_punct(t, '>'))
			return fail(ps, t->col, "expected '>' after 'std::vector<%s', found %s", sp.spelling,
				    tok_text(t, buf, sizeof buf));
		ps->pos++;
		a->kind = ARG_CXX_VECTOR;
		a->type = *type;
	} else {
		ps->pos = start;
		return 0;
	}
	is_const |= skip_consts(ps);
	t = peek(ps, 0);
	if (!is_const || !is_punct(t, '&'))
		return fail(ps, t->col, "a C++ %s is an input only as a const reference (write 'const %s &name')",
			    a->kind == ARG_CXX_STRING ? "string" : "vector",
			    a->kind == ARG_CXX_STRING ? "std::string" : "std::vector<T>");
	ps->pos++;
	return 1;
}

/*
 * A C++ class returned by value (`std::string f(int)`, `ns::Grid g()`):
 * read so that the hook can be refused with the reason (call/closure.c),
 * never memoized. 1 when the return is one, 0 when not, -1 on an error.
 */
static int parse_cxx_return(struct parser *ps)
{
	struct proto *p = ps->p;
	int start = ps->pos, depth = 0;
	const struct token *first, *last, *t;

	skip_consts(ps);
	first = peek(ps, 0);
	if (first->kind != TK_IDENT || !is_punct(peek(ps, 1), ':')) {
		ps->pos = start;
		return 0;
	}
	/* NAME (:: NAME)*, each NAME maybe with <...> */
	for (;;) {
		last = peek(ps, 0);
		ps->pos++;
		t = peek(ps, 0);
		if (is_punct(t, '<')) {
			do {
				t = peek(ps, 0);
				if (t->kind == TK_END)
					return fail(ps, t->col, "missing '>' in the return type");
				depth += is_punct(t, '<') - is_punct(t, '>');
				last = t;
				ps->pos++;
			} while (depth > 0);
			t = peek(ps, 0);
		}
		if (!is_punct(t, ':') || peek(ps, 1)->kind != TK_IDENT ||
		    is_punct(peek(ps, 2), '('))
			break;
		ps->pos++;
	}
	skip_consts(ps);
	t = peek(ps, 0);
	if (is_punct(t, '*') || is_punct(t, '&'))
		return fail(ps, t->col, "a pointer or reference to a C++ class is not supported as a return");
	snprintf(p->ret_cxx, sizeof p->ret_cxx, "%.*s", (int)(last->s + last->len - first->s), first->s);
	p->ret = T_PTR;
	p->ret_kind = RET_CXX_OBJECT;
	return 1;
}

/* The name after a C++ reference parameter's `&`. */
static int parse_cxx_name(struct parser *ps, struct proto_arg *a)
{
	const struct token *t = peek(ps, 0);
	char buf[80];

	if (t->kind != TK_IDENT)
		return fail(ps, t->col, "expected a parameter name, found %s", tok_text(t, buf, sizeof buf));
	if (copy_name(ps, t, a->name) < 0)
		return -1;
	if (proto_arg_index(ps->p, a->name) >= 0)
		return fail(ps, t->col, "duplicate parameter '%s'", a->name);
	ps->pos++;
	return 0;
}

static int parse_param(struct parser *ps, int index)
{
	struct proto *p = ps->p;
	struct proto_arg *a = &p->args[index];
	const struct token *t = peek(ps, 0), *name;
	const struct scalar_type *type = NULL;
	struct scalar_type st;
	struct spec sp;
	enum { ROLE_NONE, ROLE_OUT, ROLE_INOUT, ROLE_OPAQUE } role = ROLE_NONE;
	static const char *const role_word[] = { "", "out", "inout", "opaque" };
	int stars, col = t->col;
	bool array = false;
	char buf[80];

	memset(a, 0, sizeof *a);
	a->col = col;
	/* `out`, `inout`, `opaque` are roles only when a type follows them:
	 * `double out` is a parameter named out. */
	if (t->kind == TK_IDENT && peek(ps, 1)->kind == TK_IDENT) {
		if (is_word(t, "out"))
			role = ROLE_OUT;
		else if (is_word(t, "inout"))
			role = ROLE_INOUT;
		else if (is_word(t, "opaque"))
			role = ROLE_OPAQUE;
		if (role != ROLE_NONE)
			ps->pos++;
	}
	if (role == ROLE_NONE) {
		int cxx = parse_cxx_type(ps, a);

		if (cxx < 0)
			return -1;
		if (cxx)
			return parse_cxx_name(ps, a);
	}
	if (parse_specs(ps, &sp, role == ROLE_OPAQUE) < 0)
		return -1;
	stars = parse_stars(ps);
	t = peek(ps, 0);
	if (is_punct(t, '('))
		return fail_function_pointer(ps, t);
	if (t->kind != TK_IDENT) {
		if (is_punct(t, '[') || is_punct(t, ',') || is_punct(t, ')') || t->kind == TK_END)
			return fail(ps, t->col,
				    "parameter %d has no name (name every parameter: lengths and rules refer to them)",
				    index + 1);
		return fail(ps, t->col, "expected a parameter name, found %s", tok_text(t, buf, sizeof buf));
	}
	name = t;
	if (copy_name(ps, name, a->name) < 0)
		return -1;
	if (proto_arg_index(p, a->name) >= 0)
		return fail(ps, name->col, "duplicate parameter '%s'", a->name);
	ps->pos++;
	if (is_punct(peek(ps, 0), '[')) {
		struct len_state ls = { ps, index, &a->len };

		array = true;
		ps->pos++;
		t = peek(ps, 0);
		if (is_punct(t, ']'))
			return fail(ps, t->col, "array '%s' needs a length", a->name);
		if (len_sum(&ls) < 0)
			return -1;
		t = peek(ps, 0);
		if (!is_punct(t, ']'))
			return fail(ps, t->col, "expected ']' after the length of '%s', found %s",
				    a->name, tok_text(t, buf, sizeof buf));
		ps->pos++;
		if (is_punct(peek(ps, 0), '['))
			return fail(ps, peek(ps, 0)->col,
				    "array '%s' has more than one dimension (write its whole length: 'x[n * m]')",
				    a->name);
	}

	if (sp.aggregate && !(role == ROLE_OPAQUE && stars && !array)) {
		if (!ps->types || !sp.tag)
			return fail(ps, col,
				    "'%s' parameter '%s' is not supported (write 'const void %s[SIZE]' with its size "
				    "in bytes, or 'opaque void *%s' for a handle)",
				    sp.spelling, a->name, a->name, a->name);
		if ((stars && sp.word && word_pointer(ps, &sp) < 0) || struct_type(ps, &sp, false, &st) < 0)
			return -1;
		type = &st;
	}
	if (!sp.aggregate && !(type = spec_type_checked(ps, &sp)))
		return -1;

	if (role == ROLE_OPAQUE) {
		if (!stars || array)
			return fail(ps, col, "'opaque' needs a pointer: write 'opaque void *%s'", a->name);
		a->kind = ARG_OPAQUE;
		a->type = T_PTR;
		return 0;
	}
	if (stars && array)
		return fail(ps, name->col, "array of pointers '%s' is not supported (write 'opaque void *%s' "
			    "if its contents do not change the result)", a->name, a->name);
	if (stars > 1)
		return fail(ps, name->col, "pointer to pointer '%s' is not supported (write 'opaque void *%s' "
			    "if what it points to does not change the result)", a->name, a->name);
	if (role != ROLE_NONE && !array)
		return fail(ps, col, "'%s' needs an array: write '%s %s %s[n]'", role_word[role],
			    role_word[role], sp.spelling, a->name);
	if (stars) {
		if (sp.is_const && type == &T_I8 && sp.n_char) {
			a->kind = ARG_STRING;
			a->type = T_I8;
			return 0;
		}
		if (sp.is_const && by_reference(type)) {
			a->kind = ARG_REF;
			a->type = *type;
			return 0;
		}
		if (sp.n_char && type == &T_I8)
			return fail(ps, name->col, "pointer '%s' has no length (write 'const char *%s' for an "
				    "input string, 'out char %s[LEN]' for a buffer it fills)",
				    a->name, a->name, a->name);
		if (sp.is_const)
			return fail(ps, name->col, "pointer '%s' has no length (write 'const %s %s[LEN]' with its "
				    "length, 'opaque void *%s' for a handle)",
				    a->name, sp.spelling, a->name, a->name);
		return fail(ps, name->col, "pointer '%s' has no length (write 'out %s %s[LEN]' or "
			    "'inout %s %s[LEN]' with its length, [1] for one value; 'opaque void *%s' "
			    "for a handle)",
			    a->name, sp.spelling, a->name, sp.spelling, a->name, a->name);
	}
	if (array) {
		if (role == ROLE_NONE && !sp.is_const)
			return fail(ps, name->col, "array '%s' is not const (write 'const %s %s[n]' for an input, "
				    "'out %s %s[n]' or 'inout %s %s[n]' for a buffer it writes)",
				    a->name, sp.spelling, a->name, sp.spelling, a->name, sp.spelling, a->name);
		if (role != ROLE_NONE && sp.is_const)
			return fail(ps, col, "'%s' array '%s' cannot be const", role_word[role], a->name);
		a->kind = role == ROLE_OUT ? ARG_OUT : role == ROLE_INOUT ? ARG_INOUT : ARG_IN;
		a->type = type->cls == SC_VOID ? T_BYTES : *type;
		return 0;
	}
	if (type->cls == SC_VOID)
		return fail(ps, name->col, "parameter '%s' cannot be void", a->name);
	a->kind = ARG_SCALAR;
	a->type = *type;
	return 0;
}

static int parse_params(struct parser *ps)
{
	struct proto *p = ps->p;
	const struct token *t = peek(ps, 0);
	char buf[80];

	/* `f(void)` and `f()` take nothing. */
	if (is_word(t, "void") && is_punct(peek(ps, 1), ')')) {
		ps->pos += 2;
		return 0;
	}
	if (is_punct(t, ')')) {
		ps->pos++;
		return 0;
	}
	for (;;) {
		t = peek(ps, 0);
		if (t->kind == TK_ELLIPSIS)
			return fail(ps, t->col, "variadic '...' cannot be memoized (the arguments it "
				    "stands for are unknown)");
		if (p->nargs == PROTO_MAX_ARGS)
			return fail(ps, t->col, "more than %d parameters", PROTO_MAX_ARGS);
		if (is_word(t, "void") && (is_punct(peek(ps, 1), ',') || is_punct(peek(ps, 1), ')')))
			return fail(ps, t->col, "'void' must be the only parameter");
		if (parse_param(ps, p->nargs) < 0)
			return -1;
		p->nargs++;
		t = peek(ps, 0);
		if (is_punct(t, ')')) {
			ps->pos++;
			return 0;
		}
		if (!is_punct(t, ','))
			return fail(ps, t->col, t->kind == TK_END ? "missing ')' at the end of the parameters" :
				    "expected ',' or ')' after parameter '%s', found %s",
				    p->args[p->nargs - 1].name, tok_text(t, buf, sizeof buf));
		ps->pos++;
	}
}

/* ---- the whole prototype ---- */

static int parse_return(struct parser *ps)
{
	struct proto *p = ps->p;
	const struct scalar_type *type = NULL;
	struct scalar_type st;
	struct spec sp;
	int stars, cxx;

	if (peek(ps, 0)->kind == TK_END)
		return fail(ps, 1, "empty prototype");
	if ((cxx = parse_cxx_return(ps)))
		return cxx < 0 ? -1 : 0;
	if (parse_specs(ps, &sp, false) < 0)
		return -1;
	stars = parse_stars(ps);
	if (stars && sp.word && word_pointer(ps, &sp) < 0)
		return -1;
	if (sp.aggregate && !stars) {
		if (!ps->types || !sp.tag)
			return fail(ps, sp.col, "a '%s' return is not supported", sp.spelling);
		if (struct_type(ps, &sp, false, &st) < 0)
			return -1;
		p->ret = st;
		p->ret_kind = RET_SCALAR;
		return 0;
	}
	if (!sp.aggregate && !(type = spec_type_checked(ps, &sp)))
		return -1;
	if (stars) {
		/* `char *`, `const char *`: a string, served by `return = static |
		 * malloc`; any pointer also takes `return = argument NAME`. */
		p->ret = stars == 1 && sp.n_char && type == &T_I8 ? T_STRPTR : T_PTR;
		p->ret_kind = RET_POINTER_UNSET;
	} else if (type->cls == SC_VOID) {
		p->ret = T_VOID;
		p->ret_kind = RET_VOID;
	} else {
		p->ret = *type;
		p->ret_kind = RET_SCALAR;
	}
	return 0;
}

/* Does the canonical text fit in PROTO_CANON_MAX? A bound first, and the
 * text only when the bound does not fit: the return and " ()" take under 64 bytes, an
 * argument under 32 (", ignored inout f64[]"), a term of its length under
 * 24 (" $-9223372036854775808"). */
static bool canonical_fits(const struct proto *p)
{
	size_t bound = 64 + (p->ret.def ? strlen(p->ret.def->canon) : 0);
	int i;

	for (i = 0; i < p->nargs; i++)
		bound += 32 + 24 * (size_t)p->args[i].len.n +
			 (p->args[i].type.def ? strlen(p->args[i].type.def->canon) : 0);
	return bound < PROTO_CANON_MAX || proto_canonical(p, NULL, 0) < PROTO_CANON_MAX;
}

int proto_parse(const char *text, struct proto *p, struct proto_error *err, struct strpool *names)
{
	return proto_parse_typed(text, p, err, names, NULL);
}

int proto_parse_typed(const char *text, struct proto *p, struct proto_error *err,
		      struct strpool *names, struct type_def **types)
{
	struct parser parser, *ps = &parser;
	struct token tok[parser_tokens(text)];
	const struct token *t;
	char buf[80];
	int i;

	/* Only what is filled: the parser's room would be pages touched for
	 * nothing in every process (each argument is cleared as it is
	 * parsed; tokens and len_tok are written before they are read). */
	memset(p, 0, sizeof *p);
	memset(err, 0, sizeof *err);
	ps->text = text;
	ps->tok = tok;
	ps->max_tok = (int)(sizeof tok / sizeof tok[0]);
	ps->ntok = ps->pos = 0;
	ps->p = p;
	ps->err = err;
	ps->types = types;
	ps->names = names;
	ps->fields = false;
	p->ret_arg = -1;

	if (tokenize(ps) < 0 || parse_return(ps) < 0)
		goto bad;
	t = peek(ps, 0);
	if (is_punct(t, '(')) {
		fail(ps, t->col, "a function pointer return is not supported");
		goto bad;
	}
	if (t->kind != TK_IDENT) {
		fail(ps, t->col, "missing function name before %s", tok_text(t, buf, sizeof buf));
		goto bad;
	}
	if (copy_func_name(ps, &p->name) < 0)
		goto bad;
	/* The arguments are parsed where they stay, in room for as many as a
	 * prototype may have, the rest given back once they are known: only
	 * the pool's pages they fill are written. */
	if (!(p->args = strpool_alloc(names, PROTO_MAX_ARGS * sizeof *p->args))) {
		fail(ps, 1, "out of memory");
		goto bad;
	}
	t = peek(ps, 0);
	if (!is_punct(t, '(')) {
		fail(ps, t->col, "expected '(' after '%.100s', found %s", p->name, tok_text(t, buf, sizeof buf));
		goto bad;
	}
	ps->pos++;
	if (parse_params(ps) < 0)
		goto bad;
	if (is_punct(peek(ps, 0), ';'))
		ps->pos++;
	t = peek(ps, 0);
	if (t->kind != TK_END) {
		fail(ps, t->col, "unexpected %s after the prototype", tok_text(t, buf, sizeof buf));
		goto bad;
	}
	if (resolve_lengths(ps) < 0)
		goto bad;
	/* Float buffers count: the rounding mode changes what is computed from
	 * them even when no float crosses the call. */
	p->uses_float = p->ret.cls == SC_FLOAT || (p->ret.def && p->ret.def->has_float);
	for (i = 0; i < p->nargs; i++)
		p->uses_float |= p->args[i].type.cls == SC_FLOAT ||
				 (p->args[i].type.def && p->args[i].type.def->has_float);
	if (!canonical_fits(p)) {
		fail(ps, 1, "prototype is too complex (its canonical text exceeds %d characters)",
		     PROTO_CANON_MAX - 1);
		goto bad;
	}
	strpool_shrink(names, p->args, PROTO_MAX_ARGS * sizeof *p->args, p->nargs * sizeof *p->args);
	if (!p->nargs)
		p->args = NULL;
	return 0;
bad:
	if (p->args)
		strpool_shrink(names, p->args, PROTO_MAX_ARGS * sizeof *p->args, 0);
	p->args = NULL;
	p->nargs = 0;
	return -1;
}

/* One field: specs NAME ['[' COUNT ']'] ';' */
static int parse_field(struct parser *ps, struct type_def *d)
{
	struct type_field *f = &d->field[d->nfields];
	const struct scalar_type *type;
	const struct token *t, *name;
	struct spec sp;
	char buf[80];

	if (d->nfields == TYPE_MAX_FIELDS)
		return fail(ps, peek(ps, 0)->col, "more than %d fields (declare a part as a struct of "
			    "its own, and use it as a field)", TYPE_MAX_FIELDS);
	if (parse_specs(ps, &sp, false) < 0)
		return -1;
	if (sp.aggregate) {
		if (struct_type(ps, &sp, true, &f->type) < 0)
			return -1;
	} else {
		if (!(type = spec_type_checked(ps, &sp)))
			return -1;
		f->type = *type;
	}
	t = peek(ps, 0);
	if (is_punct(t, '*'))
		return fail(ps, t->col, "a pointer field cannot be keyed (its address would be hashed, "
			    "not what it points to): pass what it points to as an argument of its own");
	if (t->kind != TK_IDENT)
		return fail(ps, t->col, "expected a field name after '%s', found %s", sp.spelling,
			    tok_text(t, buf, sizeof buf));
	if (f->type.cls == SC_VOID)
		return fail(ps, sp.col, "field '%.*s' cannot be void", t->len, t->s);
	name = t;
	ps->pos++;
	f->count = 1;
	if (is_punct(peek(ps, 0), '[')) {
		unsigned long v;
		char *end, num[16];

		t = peek(ps, 1);
		if (t->kind != TK_NUM || t->len >= (int)sizeof num || !is_punct(peek(ps, 2), ']'))
			return fail(ps, t->col, "the length of field '%.*s' must be a number, as C "
				    "declares it: '%s %.*s[3]'", name->len, name->s, sp.spelling,
				    name->len, name->s);
		memcpy(num, t->s, t->len);
		num[t->len] = '\0';
		v = strtoul(num, &end, 0);
		if (*end || v == 0 || v > UINT16_MAX)
			return fail(ps, t->col, "bad length '%s' of field '%.*s' (1 to %d)", num,
				    name->len, name->s, UINT16_MAX);
		f->count = (uint16_t)v;
		ps->pos += 3;
	}
	t = peek(ps, 0);
	if (!is_punct(t, ';'))
		return fail(ps, t->col, "expected ';' after field '%.*s', found %s", name->len, name->s,
			    tok_text(t, buf, sizeof buf));
	ps->pos++;
	d->nfields++;
	return 0;
}

int proto_parse_fields(const char *text, struct type_def *d, struct type_def *const *types,
		       struct proto_error *err)
{
	struct parser parser, *ps = &parser;
	struct token tok[parser_tokens(text)];
	const struct token *t;
	char buf[80];

	memset(err, 0, sizeof *err);
	ps->text = text;
	ps->tok = tok;
	ps->max_tok = (int)(sizeof tok / sizeof tok[0]);
	ps->ntok = ps->pos = 0;
	ps->p = NULL;
	ps->err = err;
	ps->types = (struct type_def **)types;	/* read only: fields name declared structs */
	ps->names = NULL;
	ps->fields = true;
	d->nfields = 0;
	if (tokenize(ps) < 0)
		return -1;
	t = peek(ps, 0);
	if (!is_punct(t, '{'))
		return fail(ps, t->col, "expected '{' to start the fields, found %s (write "
			    "'struct NAME = { double lo; double hi; }')", tok_text(t, buf, sizeof buf));
	ps->pos++;
	while (!is_punct(peek(ps, 0), '}')) {
		if (peek(ps, 0)->kind == TK_END)
			return fail(ps, peek(ps, 0)->col, "missing '}' at the end of the fields");
		if (parse_field(ps, d) < 0)
			return -1;
	}
	ps->pos++;
	if (!d->nfields)
		return fail(ps, t->col, "a struct needs at least one field");
	if (is_punct(peek(ps, 0), ';'))
		ps->pos++;
	t = peek(ps, 0);
	if (t->kind != TK_END)
		return fail(ps, t->col, "unexpected %s after the fields", tok_text(t, buf, sizeof buf));
	return 0;
}

const struct scalar_type *proto_scalar(enum scalar_class cls, unsigned size)
{
	static const struct scalar_type *const sints[9] = { [1] = &T_I8, [2] = &T_I16, [4] = &T_I32,
							    [8] = &T_I64 };
	static const struct scalar_type *const uints[9] = { [1] = &T_U8, [2] = &T_U16, [4] = &T_U32,
							    [8] = &T_U64 };

	switch (cls) {
	case SC_SINT:
		return size <= 8 ? sints[size] : NULL;
	case SC_UINT:
		return size <= 8 ? uints[size] : NULL;
	case SC_BOOL:
		return size == 1 ? &T_BOOL : NULL;
	case SC_FLOAT:
		return size == 4 ? &T_F32 : size == 8 ? &T_F64 : size == 16 ? &T_F80 : NULL;
	case SC_COMPLEX:
		return size == 8 ? &T_C32 : size == 16 ? &T_C64 : size == 32 ? &T_C80 : NULL;
	default:
		return NULL;
	}
}

/*
 * `return = argument NAME` may name any pointer argument (in, string, out,
 * inout, opaque): the returned pointer is then that argument's own value,
 * known without storing it, and on a hit an out/inout buffer is restored
 * first. Only a scalar cannot be returned as a pointer. `char *` returns take
 * it too (strcpy, realpath, crypt_r return their buffer).
 */
int proto_set_return(struct proto *p, const char *rule, struct proto_error *err)
{
	const char *s = rule;
	int i;

	memset(err, 0, sizeof *err);
	err->col = 1;
	if (p->ret_kind != RET_POINTER_UNSET) {
		snprintf(err->msg, sizeof err->msg,
			 p->ret_kind == RET_VOID || p->ret_kind == RET_SCALAR ?
			 "'return' applies to pointer returns, and '%s' returns '%s'" :
			 "'%.100s' already has a 'return' rule", p->name, p->ret.canon);
		return -1;
	}
	if (!strcmp(s, "static") || !strcmp(s, "malloc")) {
		if (p->ret.canon != T_STRPTR.canon) {
			snprintf(err->msg, sizeof err->msg,
				 "'return = %s' needs a 'char *' return (for another pointer, write "
				 "'return = argument NAME')", s);
			return -1;
		}
		p->ret_kind = s[0] == 's' ? RET_STRING_STATIC : RET_STRING_MALLOC;
		return 0;
	}
	if (!strncmp(s, "argument", 8) && isspace((unsigned char)s[8])) {
		s += 8;
		while (isspace((unsigned char)*s))
			s++;
		i = proto_arg_index(p, s);
		if (i < 0) {
			snprintf(err->msg, sizeof err->msg, "'return = argument %s' names no argument of '%.100s'",
				 s, p->name);
			return -1;
		}
		if (p->args[i].kind == ARG_SCALAR) {
			snprintf(err->msg, sizeof err->msg,
				 "'return = argument %s': '%s' is not a pointer argument", s, s);
			return -1;
		}
		p->ret_kind = RET_ARGUMENT;
		p->ret_arg = i;
		return 0;
	}
	snprintf(err->msg, sizeof err->msg,
		 "unknown return rule '%s' (write 'static', 'malloc' or 'argument NAME')", rule);
	return -1;
}

int proto_ignore_arg(struct proto *p, const char *name)
{
	int i = proto_arg_index(p, name);

	if (i < 0)
		return -1;
	p->args[i].ignored = true;
	return 0;
}

/* Reads a scalar integer argument as libffi lays it out: args[i] points at
 * a value of the declared size, or, by reference, at a pointer to it. */
static int arg_value(const struct proto *p, int i, void *const *args, int64_t *v)
{
	const struct scalar_type *t = &p->args[i].type;
	const void *src = args[i];

	if (p->args[i].kind == ARG_REF && !(src = *(void *const *)src))
		return -1;

	if (t->cls == SC_SINT) {
		switch (t->size) {
		case 1: *v = *(const int8_t *)src; return 0;
		case 2: *v = *(const int16_t *)src; return 0;
		case 4: *v = *(const int32_t *)src; return 0;
		default: *v = *(const int64_t *)src; return 0;
		}
	}
	switch (t->size) {
	case 1: *v = *(const uint8_t *)src; return 0;
	case 2: *v = *(const uint16_t *)src; return 0;
	case 4: *v = *(const uint32_t *)src; return 0;
	default: {
		uint64_t u = *(const uint64_t *)src;
		if (u > INT64_MAX)
			return -1;
		*v = (int64_t)u;
		return 0;
	}
	}
}

int len_eval(const struct len_expr *e, const struct proto *p, void *const *args,
	     uint64_t *count)
{
	int64_t st[PROTO_MAX_LEN_CODE];
	int sp = 0, i;

	for (i = 0; i < e->n; i++) {
		int64_t a, b, r;

		switch (e->code[i].op) {
		case LEN_LIT:
			st[sp++] = e->code[i].val;
			continue;
		case LEN_ARG:
			if (arg_value(p, (int)e->code[i].val, args, &st[sp++]) < 0)
				return -1;
			continue;
		}
		if (sp < 2)
			return -1;
		b = st[--sp];
		a = st[--sp];
		switch (e->code[i].op) {
		case LEN_ADD:
			if (__builtin_add_overflow(a, b, &r))
				return -1;
			break;
		case LEN_SUB:
			if (__builtin_sub_overflow(a, b, &r))
				return -1;
			break;
		case LEN_MUL:
			if (__builtin_mul_overflow(a, b, &r))
				return -1;
			break;
		case LEN_DIV:
			if (b == 0 || (a == INT64_MIN && b == -1))
				return -1;
			r = a / b;
			break;
		default:
			return -1;
		}
		st[sp++] = r;
	}
	if (sp != 1 || st[0] < 0)
		return -1;
	*count = (uint64_t)st[0];
	return 0;
}

/* ---- canonical text ---- */

struct out {
	char *buf;
	size_t cap, len;
};

/* Appends s, as snprintf would: o->len counts every byte, buf keeps what
 * fits and its NUL. Not printf: ~600 instructions a call, ten of them a
 * prototype, in every process that memoizes (the key prefix's text). */
static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->len < o->cap) {
		size_t room = o->cap - 1 - o->len, k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->buf[o->len + k] = '\0';
	}
	o->len += n;
}

/* A number in decimal, as "%lld" writes it. */
static void put_num(struct out *o, long long v)
{
	char text[24], *e = text + sizeof text - 1;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	*e = '\0';
	do
		*--e = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--e = '-';
	put(o, e);
}

/*
 * The key's view of a prototype: what changes the meaning of the arguments'
 * bytes or of the stored value, and nothing else. So: the return (type and
 * rule), and per argument its kind, canonical type, length in RPN with
 * arguments by index ($2), and whether it is ignored. Not in it: the
 * function's and the arguments' names (renaming changes no result; code
 * identity covers the function), spelling, spaces, qualifiers. Example:
 *   double simulate(int seed, const double params[n], size_t n, long job_id)
 *   with ignore_args = job_id
 * gives "proto1 f64 (i32, in f64[$2], u64, ignored i64)".
 * The length RPN follows the text: `n * m` and `m * n` differ, a needless
 * miss at worst, never a wrong hit.
 */
size_t proto_canonical(const struct proto *p, char *buf, size_t cap)
{
	static const char *const ops = "..+-*/";
	static const char *const kinds[] = { "", "in ", "string", "out ", "inout ", "opaque", "ref ",
					     "cxxvector ", "cxxstring" };
	struct out o = { buf, cap, 0 };
	int i, j;

	if (cap)
		buf[0] = '\0';
	put(&o, "proto1 ");
	put(&o, p->ret.canon);
	switch (p->ret_kind) {
	case RET_STRING_STATIC: put(&o, " static"); break;
	case RET_STRING_MALLOC: put(&o, " malloc"); break;
	case RET_ARGUMENT: put(&o, " argument $"); put_num(&o, p->ret_arg); break;
	case RET_POINTER_UNSET: put(&o, " unset"); break;
	case RET_CXX_OBJECT: put(&o, " cxxobject"); break;
	}
	put(&o, " (");
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];

		put(&o, i ? ", " : "");
		put(&o, a->ignored ? "ignored " : "");
		put(&o, kinds[a->kind]);
		if (a->kind == ARG_STRING || a->kind == ARG_OPAQUE || a->kind == ARG_CXX_STRING)
			continue;
		put(&o, a->type.canon);
		if (a->kind == ARG_SCALAR || a->kind == ARG_REF || a->kind == ARG_CXX_VECTOR)
			continue;
		put(&o, "[");
		for (j = 0; j < a->len.n; j++) {
			int64_t v = a->len.code[j].val;

			switch (a->len.code[j].op) {
			case LEN_LIT: put(&o, j ? " " : ""); put_num(&o, (long long)v); break;
			case LEN_ARG: put(&o, j ? " $" : "$"); put_num(&o, (long long)v); break;
			default: put(&o, " "); put(&o, (char[]){ ops[a->len.code[j].op], '\0' }); break;
			}
		}
		put(&o, "]");
	}
	put(&o, ")");
	return o.len;
}
