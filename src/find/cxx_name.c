/*
 * cxx_name: a demangled C++ name against an object's mangled symbols
 * (cxx_name.h). Names are compared as text, with spaces normalized, so
 * `energy(const double*, unsigned long)` is not `energy(double const*,
 * unsigned long)`: the parameter list is written as g++ prints it (c++filt,
 * `memo inspect`), and a name that matches nothing says so.
 *
 * Why libiberty and not __cxa_demangle: the latter lives in libstdc++,
 * which a C process must never have loaded for libmemo's sake; libiberty's
 * cplus_demangle is the same demangler, in a static archive.
 */
#include "find/cxx_name.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "config/proto.h"
#include "find/hook.h"

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* src without spaces, but one between two identifier characters
 * ("unsigned long"): "double const *" and "double const*" agree. Without
 * ABI tags too: g++ prints `model::describe[abi:cxx11](int)` for a
 * function returning a std::string, which no one writes. */
static void normalize(const char *src, char *dst, size_t cap)
{
	size_t n = 0;
	bool space = false;

	for (; *src && n + 2 < cap; src++) {
		if (!strncmp(src, "[abi:", 5) && strchr(src, ']')) {
			src = strchr(src, ']');
			continue;
		}
		if (isspace((unsigned char)*src)) {
			space = true;
			continue;
		}
		if (space && n && ident_char(dst[n - 1]) && ident_char(*src))
			dst[n++] = ' ';
		space = false;
		dst[n++] = *src;
	}
	dst[n] = '\0';
}

/* Where the function's name starts in a normalized demangled text (after
 * a function template's return type), and its length (before the
 * parameter list). */
static size_t name_part(const char *s, size_t *len)
{
	size_t i, start = 0;
	int depth = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == '<')
			depth++;
		else if (s[i] == '>')
			depth--;
		else if (s[i] == ' ' && !depth)
			start = i + 1;
		else if (s[i] == '(' && !depth && i > 0)
			break;
	}
	*len = i - start;
	return start;
}

void cxx_name_hint(const char *wanted, char *hint, size_t cap)
{
	size_t len, start = name_part(wanted, &len), end = start + len, b = end;

	while (b > start && ident_char(wanted[b - 1]))
		b--;
	if (b == end || end - b > 200) {
		*hint = '\0';
		return;
	}
	snprintf(hint, cap, "%zu%.*s", end - b, (int)(end - b), wanted + b);
}

void cxx_name_demangle(const char *mangled, char *buf, size_t n)
{
	char *d = strncmp(mangled, "_Z", 2) ? NULL : cplus_demangle(mangled, DMGL_PARAMS | DMGL_ANSI);

	snprintf(buf, n, "%s", d ? d : "");
	free(d);
}

/* Does the normalized demangled text `norm` name `want` (normalized):
 * with its parameter list when `want` has one, else by its name alone? */
static bool names(const char *norm, const char *want, bool params)
{
	size_t len, start = name_part(norm, &len);

	return params ? !strcmp(norm + start, want) :
	       strlen(want) == len && !strncmp(norm + start, want, len);
}

bool cxx_name_matches(const char *mangled, const char *wanted)
{
	char dem[PROTO_MAX_FUNC_NAME * 2], norm[PROTO_MAX_FUNC_NAME * 2], want[PROTO_MAX_FUNC_NAME];

	cxx_name_demangle(mangled, dem, sizeof dem);
	if (!*dem || strstr(dem, "[clone "))
		return false;
	normalize(dem, norm, sizeof norm);
	normalize(wanted, want, sizeof want);
	return names(norm, want, strchr(want, '(') != NULL);
}

/* src without its ABI tags, spaces kept, into dst. */
static void strip_abi_tags(const char *src, char *dst, size_t cap)
{
	size_t n = 0;

	for (; *src && n + 1 < cap; src++) {
		if (!strncmp(src, "[abi:", 5) && strchr(src, ']')) {
			src = strchr(src, ']');
			continue;
		}
		dst[n++] = *src;
	}
	dst[n] = '\0';
}

int cxx_name_section(const struct elf_image *img, const char *mangled, char *section, size_t n,
		     char *fname, size_t fn)
{
	char dem[PROTO_MAX_FUNC_NAME * 2], bare[PROTO_MAX_FUNC_NAME * 2], why[8];
	size_t len, start;
	struct elf_sym s;

	cxx_name_demangle(mangled, dem, sizeof dem);
	strip_abi_tags(dem, bare, sizeof bare);
	if (!*bare || strstr(bare, "[clone "))
		return 0;
	start = name_part(bare, &len);
	if (len >= fn || len >= n)
		return 0;
	for (size_t i = start; i < start + len; i++)	/* `f<int>`, `operator+`: not writable */
		if (!ident_char(bare[i]) && !(bare[i] == ':' && bare[i + 1] == ':' && ++i))
			return 0;
	snprintf(fname, fn, "%.*s", (int)len, bare + start);
	if (cxx_name_find(img, fname, &s, why, sizeof why) == 1)
		snprintf(section, n, "%s", fname);
	else
		snprintf(section, n, "%s", bare + start);
	return 1;
}

/* Does the function return a std::string (or another class of
 * libstdc++'s new ABI) by value? g++ tags such a function's own name
 * `[abi:cxx11]` when its parameters do not carry the tag already. */
static bool returns_tagged(const char *mangled)
{
	char dem[PROTO_MAX_FUNC_NAME * 2];
	size_t len, start;

	cxx_name_demangle(mangled, dem, sizeof dem);
	start = name_part(dem, &len);
	return memmem(dem + start, len, "[abi:cxx11]", 11) != NULL;
}

int cxx_name_check(struct hook *h, const char *mangled)
{
	const struct proto *p = &h->fn->proto;

	if (returns_tagged(mangled))
		return hook_refuse(h, REFUSE_CXX_OBJECT, "'%.200s' returns a std::string (its name is "
				   "tagged [abi:cxx11]) by value, a C++ object that is not trivially "
				   "copyable: a result served from the cache would own the same memory "
				   "as another and be freed twice", h->fn->symbol);
	/* A std::string of the old ABI (_GLIBCXX_USE_CXX11_ABI=0) is one
	 * pointer: read as the new one, its length would be whatever follows. */
	for (int i = 0; i < p->nargs; i++) {
		if (p->args[i].kind == ARG_CXX_STRING && !strstr(mangled, "NSt7__cxx1112basic_string"))
			return hook_refuse(h, REFUSE_PROTO_MISMATCH, "'%s' is declared const std::string &, "
					   "but '%.200s' takes no std::string of libstdc++'s new ABI (built "
					   "with _GLIBCXX_USE_CXX11_ABI=0?): its layout is another",
					   p->args[i].name, h->fn->symbol);
		if (p->args[i].kind == ARG_CXX_VECTOR && !strstr(mangled, "St6vectorI"))
			return hook_refuse(h, REFUSE_PROTO_MISMATCH, "'%s' is declared const std::vector<T> &, "
					   "but '%.200s' takes no std::vector", p->args[i].name, h->fn->symbol);
	}
	return 0;
}

struct find {
	const char *want;		/* normalized */
	bool params;			/* it has a parameter list */
	char hint[216];
	struct elf_sym found;
	int nfound;
	uint64_t seen[16];		/* the addresses found: one function, two symbol tables */
	char *why;
	size_t n, used;
};

static int find_cb(const struct elf_sym *s, void *arg)
{
	struct find *f = arg;
	char dem[PROTO_MAX_FUNC_NAME * 2], norm[PROTO_MAX_FUNC_NAME * 2];
	size_t start, len;

	if ((s->type != STT_FUNC && s->type != STT_GNU_IFUNC) || strncmp(s->name, "_Z", 2) ||
	    (*f->hint && !strstr(s->name, f->hint)))
		return 0;
	for (int i = 0; i < f->nfound && i < 16; i++)
		if (f->seen[i] == s->value)
			return 0;
	cxx_name_demangle(s->name, dem, sizeof dem);
	if (strstr(dem, "[clone "))	/* GCC's specialized copies: not the function */
		return 0;
	normalize(dem, norm, sizeof norm);
	if (!names(norm, f->want, f->params))
		return 0;
	if (f->nfound < 16)
		f->seen[f->nfound] = s->value;
	if (!f->nfound++)
		f->found = *s;
	start = name_part(dem, &len);	/* as g++ prints it, for people */
	if (f->used < f->n)
		f->used += (size_t)snprintf(f->why + f->used, f->n - f->used, "%s%s",
					    f->nfound > 1 ? "; " : "", dem + start);
	return 0;
}

int cxx_name_find(const struct elf_image *img, const char *wanted, struct elf_sym *out,
		  char *why, size_t n)
{
	char want[PROTO_MAX_FUNC_NAME];
	struct find f = { .want = want, .params = strchr(wanted, '(') != NULL, .why = why, .n = n };

	if (n)
		*why = '\0';
	normalize(wanted, want, sizeof want);
	cxx_name_hint(want, f.hint, sizeof f.hint);
	elf_image_each_symbol(img, NULL, find_cb, &f);
	if (f.nfound == 1)
		*out = f.found;
	return f.nfound > 1 ? -1 : f.nfound;
}
