/*
 * suggest: a [function] section from the debug info (suggest.h): each
 * argument declared as the prototype language can, the length of arrays
 * guessed from the integer arguments' names, a written buffer guessed `out`
 * or `inout` from its name, and what cannot be declared left opaque.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "find/hook.h"
#include "find/signature.h"
#include "cmd/suggest.h"

/* A scalar the prototype language can write: a complex, and a struct the
 * debug info lists the fields of (`struct NAME`, defined from it), too. */
static bool writable_scalar(uint8_t cls, const char *proto_name)
{
	return (cls == DWC_INT || cls == DWC_BOOL || cls == DWC_FLOAT || cls == DWC_COMPLEX ||
		cls == DWC_RECORD) && *proto_name;
}

/* Whether the suggestion can declare the type as it is; why not into why[]. */
static bool expressible(const struct dwarf_type *t, char *why, size_t n)
{
	if (t->cls == DWC_VOID || writable_scalar(t->cls, t->proto_name))
		return true;
	if (t->cls == DWC_POINTER &&
	    (t->elem_cls == DWC_VOID || writable_scalar(t->elem_cls, t->proto_name)))
		return true;
	snprintf(why, n, "%s is not supported%s", t->spelling,
		 t->cls == DWC_RECORD || t->elem_cls == DWC_RECORD ? " (by value or pointed to)" : "");
	return false;
}

/* ---- C++ ---- */

/* A const reference to a libstdc++ string, or to a vector of scalars, as
 * the prototype language writes it ("const std::vector<double> &"). */
static bool cxx_input(const struct dwarf_type *t, char *buf, size_t n)
{
	const char *v = strstr(t->spelling, "vector<");
	size_t len;

	if (t->cls != DWC_POINTER || !t->is_reference || !t->elem_const || t->elem_cls != DWC_RECORD)
		return false;
	if (strstr(t->spelling, "basic_string<char,")) {
		snprintf(buf, n, "const std::string &");
		return true;
	}
	if (!v)
		return false;
	v += 7;
	len = strcspn(v, ",>");
	if (!len || strspn(v, "abcdefghijklmnopqrstuvwxyz_0123456789 ") < len ||
	    !strncmp(v, "bool", len) || !strncmp(v, "long double", len))
		return false;
	snprintf(buf, n, "const std::vector<%.*s> &", (int)len, v);
	return true;
}

/* A libstdc++ class returned by value, as the prototype language writes
 * it ("std::string"): a config that says so is refused [cxx-object]. */
static bool cxx_object(const struct dwarf_type *t, char *buf, size_t n)
{
	const char *v = strstr(t->spelling, "vector<");

	if (t->cls != DWC_RECORD)
		return false;
	if (!strncmp(t->spelling, "basic_string<char,", 18))
		snprintf(buf, n, "std::string");
	else if (v == t->spelling)
		snprintf(buf, n, "std::vector<%.*s>", (int)strcspn(v + 7, ",>"), v + 7);
	else
		return false;
	return true;
}

/* The integer parameter most likely to be an array length. */
static const char *guess_length(const struct dwarf_func *d, int n)
{
	static const char *const usual[] = { "n", "len", "length", "count", "size", "num",
					     "nelem", "nmemb", "nitems", "m", "k" };
	for (size_t u = 0; u < sizeof usual / sizeof usual[0]; u++)
		for (int i = 0; i < n; i++)
			if (d->args[i].cls == DWC_INT && !strcmp(d->names[i], usual[u]))
				return d->names[i];
	for (int i = 0; i < n; i++)
		if (d->args[i].cls == DWC_INT)
			return d->names[i];
	return "1";
}

static bool looks_out(const char *name)
{
	return strstr(name, "out") || strstr(name, "res") || strstr(name, "dst") ||
	       strstr(name, "dest") || !strcmp(name, "y");
}

static void note_opaque(void *ctx, int arg, const char *text)
{
	struct suggestion *s = ctx;
	size_t nn = strlen(s->notes);

	(void)arg;
	snprintf(s->notes + nn, sizeof s->notes - nn, "%s%s", nn ? "\n" : "", text);
}

void suggest(struct dwarf_func *d, const char *symbol, struct suggestion *s)
{
	const struct dwarf_type *ret = &d->ret;
	static struct proto opaque;	/* the suggestion's opaque arguments, for signature.c */
	static struct proto_arg opaque_args[PROTO_MAX_ARGS];
	char *line, *notes = s->notes, *bad = s->bad, why[160], cxx[128] = "";
	/* the name, then what the types take: 4 KB is room for 32 arguments */
	const size_t cap = strlen(symbol) + 4096, ncap = sizeof s->notes, bcap = sizeof s->bad;
	size_t used = 0, nused = 0;
	int n = d->nargs < PROTO_MAX_ARGS ? d->nargs : PROTO_MAX_ARGS;
	const char *len;

	memset(s, 0, sizeof *s);
	if (!(line = s->prototype = malloc(cap))) {	/* the memo command: said, and exit */
		fputs("memo: out of memory\n", stderr);
		exit(1);
	}
	memset(&opaque, 0, sizeof opaque);
	memset(opaque_args, 0, sizeof opaque_args);
	opaque.args = opaque_args;
	opaque.name = symbol;
	opaque.nargs = n;
	for (int i = 0; i < n; i++)
		if (!d->names[i][0])
			snprintf(d->names[i], sizeof d->names[i], "arg%d", i + 1);
	len = guess_length(d, n);

	if (cxx_object(ret, cxx, sizeof cxx)) {
		nused += (size_t)snprintf(bad + nused, bcap - nused, "it returns %s by value, "
					  "a C++ object that is not trivially copyable [%s]", cxx,
					  hook_refusal_name(REFUSE_CXX_OBJECT));
		used += (size_t)snprintf(line + used, cap - used, "%s %s(", cxx, symbol);
	} else if (!expressible(ret, why, sizeof why))
		nused += (size_t)snprintf(bad + nused, bcap - nused, "%sthe return value: %s",
					  nused ? "; " : "", why);
	else if (ret->cls == DWC_POINTER && !ret->elem_char)
		nused += (size_t)snprintf(bad + nused, bcap - nused, "%sit returns a pointer "
					  "(only strings and 'return = argument' can be cached)",
					  nused ? "; " : "");
	if (!*cxx)
		used += (size_t)snprintf(line + used, cap - used, "%s%s%s%s(",
					 ret->elem_const ? "const " : "",
					 *ret->proto_name ? ret->proto_name : "void",
					 ret->cls == DWC_POINTER ? " *" : " ", symbol);
	if (!n)
		used += (size_t)snprintf(line + used, cap - used, "void");
	for (int i = 0; i < n && used < cap; i++) {
		const struct dwarf_type *t = &d->args[i];
		const char *sep = i ? ", " : "", *name = d->names[i];
		size_t nn = strlen(notes);
		char in[128];

		if (cxx_input(t, in, sizeof in)) {
			used += (size_t)snprintf(line + used, cap - used, "%s%s%s", sep, in, name);
			opaque.args[i].kind = strstr(in, "std::string") ? ARG_CXX_STRING : ARG_CXX_VECTOR;
		} else if (t->cls == DWC_POINTER && !strcmp(name, "this")) {
			/* a method's object: its members join no key unless declared */
			used += (size_t)snprintf(line + used, cap - used, "%sopaque void *this", sep);
			opaque.args[i].kind = ARG_OPAQUE;
		} else if (!expressible(t, why, sizeof why)) {
			nused += (size_t)snprintf(bad + nused, bcap - nused, "%s'%.63s': %s",
						  nused ? "; " : "", name, why);
			used += (size_t)snprintf(line + used, cap - used, "%sopaque void *%s", sep, name);
			opaque.args[i].kind = ARG_OPAQUE;
		} else if (t->cls != DWC_POINTER) {
			used += (size_t)snprintf(line + used, cap - used, "%s%s %s", sep,
						 t->proto_name, name);
		} else if (t->elem_const && t->elem_char) {
			used += (size_t)snprintf(line + used, cap - used, "%sconst char *%s", sep, name);
			snprintf(notes + nn, ncap - nn, "%s'%.63s' read as a NUL-terminated string",
				 nn ? "\n" : "", name);
		} else if (t->elem_const) {
			used += (size_t)snprintf(line + used, cap - used, "%sconst %s %s[%s]", sep,
						 t->proto_name, name, len);
			snprintf(notes + nn, ncap - nn, "%s'%.63s' has %.63s elements (guessed)",
				 nn ? "\n" : "", name, len);
		} else if (t->elem_cls == DWC_VOID) {
			used += (size_t)snprintf(line + used, cap - used, "%sopaque void *%s", sep, name);
			snprintf(notes + nn, ncap - nn, "%s'%.63s' is not hashed: declare its bytes "
				 "if they matter", nn ? "\n" : "", name);
		} else {
			const char *kind = looks_out(name) ? "out" : "inout";
			used += (size_t)snprintf(line + used, cap - used, "%s%s %s %s[%s]", sep, kind,
						 t->proto_name, name, len);
			snprintf(notes + nn, ncap - nn, "%s'%.63s' is written: %s with %.63s elements "
				 "(guessed; 'out' if its contents are not read)", nn ? "\n" : "",
				 name, kind, len);
		}
		snprintf(opaque.args[i].name, sizeof opaque.args[i].name, "%s", name);
	}
	signature_opaque_read(&opaque, d, note_opaque, s);
	snprintf(line + used, cap - used, ")");
	s->returns_string = ret->cls == DWC_POINTER && ret->elem_char;
}

void suggest_release(struct suggestion *s)
{
	free(s->prototype);
	s->prototype = NULL;
}
