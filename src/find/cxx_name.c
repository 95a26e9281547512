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
#include <pthread.h>
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
 * function returning a std::string, which no one writes. Allocated (a
 * name has any length): the caller frees it; NULL out of memory. */
static char *normalized(const char *src)
{
	char *dst = malloc(strlen(src) + 1);
	size_t n = 0;
	bool space = false;

	if (!dst)
		return NULL;
	for (; *src; src++) {
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
	return dst;
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

/*
 * libiberty refuses a mangled name of over 1,024 characters unless told
 * DMGL_NO_RECURSE_LIMIT: it keeps its arrays on the stack, ~72 bytes a
 * character of the name (350 KB for 5,000), then recurses as deep as the
 * name nests. It is told so only where this thread's stack has room for
 * that and a margin (a thread of the host may have a small one).
 */
#define DEMANGLE_STACK_PER_CHAR 128
#define DEMANGLE_STACK_MARGIN (256 * 1024)

static bool stack_has_room(size_t need)
{
	pthread_attr_t attr;
	char here, *lo;
	size_t size;
	void *addr;
	int r;

	if (pthread_getattr_np(pthread_self(), &attr))
		return false;
	r = pthread_attr_getstack(&attr, &addr, &size);
	pthread_attr_destroy(&attr);
	lo = addr;
	/* (off this thread's stack, as on prime.c's: not known, so no) */
	return !r && &here > lo && &here < lo + size && (size_t)(&here - lo) > need;
}

char *cxx_name_demangle(const char *mangled)
{
	size_t len = strlen(mangled);
	int flags = DMGL_PARAMS | DMGL_ANSI;

	if (strncmp(mangled, "_Z", 2))
		return NULL;
	if (len > 1000) {
		if (len > (SIZE_MAX - DEMANGLE_STACK_MARGIN) / DEMANGLE_STACK_PER_CHAR ||
		    !stack_has_room(len * DEMANGLE_STACK_PER_CHAR + DEMANGLE_STACK_MARGIN))
			return NULL;
		flags |= DMGL_NO_RECURSE_LIMIT;
	}
	return cplus_demangle(mangled, flags);
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
	char *dem = cxx_name_demangle(mangled), *norm = NULL, *want = NULL;
	bool yes = false;

	if (dem && !strstr(dem, "[clone ") && (norm = normalized(dem)) && (want = normalized(wanted)))
		yes = names(norm, want, strchr(want, '(') != NULL);
	free(dem);
	free(norm);
	free(want);
	return yes;
}

/* src without its ABI tags, spaces kept, in place. */
static void strip_abi_tags(char *src)
{
	char *dst = src;

	for (; *src; src++) {
		if (!strncmp(src, "[abi:", 5) && strchr(src, ']')) {
			src = strchr(src, ']');
			continue;
		}
		*dst++ = *src;
	}
	*dst = '\0';
}

int cxx_name_section(const struct elf_image *img, const char *mangled, char **section, char **fname)
{
	char *bare = cxx_name_demangle(mangled), why[8];
	size_t len, start;
	struct elf_sym s;

	*section = *fname = NULL;
	if (!bare)
		return 0;
	strip_abi_tags(bare);
	start = name_part(bare, &len);
	for (size_t i = start; i < start + len; i++)	/* `f<int>`, `operator+`: not writable */
		if (!ident_char(bare[i]) && !(bare[i] == ':' && bare[i + 1] == ':' && ++i))
			goto none;
	if (!*bare || strstr(bare, "[clone ") || !(*fname = strndup(bare + start, len)))
		goto none;
	*section = strdup(cxx_name_find(img, *fname, &s, why, sizeof why) == 1 ? *fname : bare + start);
	free(bare);
	if (!*section) {
		free(*fname);
		*fname = NULL;
		return 0;
	}
	return 1;
none:
	free(bare);
	return 0;
}

/* Does the function return a std::string (or another class of
 * libstdc++'s new ABI) by value? g++ tags such a function's own name
 * `[abi:cxx11]` when its parameters do not carry the tag already. */
static bool returns_tagged(const char *mangled)
{
	char *dem = cxx_name_demangle(mangled);
	size_t len, start;
	bool yes;

	if (!dem)
		return false;
	start = name_part(dem, &len);
	yes = memmem(dem + start, len, "[abi:cxx11]", 11) != NULL;
	free(dem);
	return yes;
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
	char *dem, *norm;
	size_t start, len;
	bool named;

	if ((s->type != STT_FUNC && s->type != STT_GNU_IFUNC) || strncmp(s->name, "_Z", 2) ||
	    (*f->hint && !strstr(s->name, f->hint)))
		return 0;
	for (int i = 0; i < f->nfound && i < 16; i++)
		if (f->seen[i] == s->value)
			return 0;
	if (!(dem = cxx_name_demangle(s->name)))
		return 0;
	/* GCC's specialized copies ("[clone .isra.0]"): not the function */
	norm = strstr(dem, "[clone ") ? NULL : normalized(dem);
	named = norm && names(norm, f->want, f->params);
	free(norm);
	if (!named) {
		free(dem);
		return 0;
	}
	if (f->nfound < 16)
		f->seen[f->nfound] = s->value;
	if (!f->nfound++)
		f->found = *s;
	start = name_part(dem, &len);	/* as g++ prints it, for people */
	if (f->used < f->n)
		f->used += (size_t)snprintf(f->why + f->used, f->n - f->used, "%s%s",
					    f->nfound > 1 ? "; " : "", dem + start);
	free(dem);
	return 0;
}

int cxx_name_find(const struct elf_image *img, const char *wanted, struct elf_sym *out,
		  char *why, size_t n)
{
	char *want = normalized(wanted);
	struct find f = { .want = want, .params = strchr(wanted, '(') != NULL, .why = why, .n = n };

	if (n)
		*why = '\0';
	if (!want)
		return 0;
	cxx_name_hint(want, f.hint, sizeof f.hint);
	elf_image_each_symbol(img, NULL, find_cb, &f);
	free(want);
	if (f.nfound == 1)
		*out = f.found;
	return f.nfound > 1 ? -1 : f.nfound;
}
