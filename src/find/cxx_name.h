/*
 * cxx_name: C++ functions named as people write them, `model::energy` or
 * `model::energy(double const*, unsigned long)`, found among an object's
 * mangled symbols by demangling them with libiberty's demangler (linked
 * in statically: it works in every process, C or C++, and loads nothing).
 * Calls elf, hook (refusals) and libiberty. Start-up and tools only (allocates); never on
 * the hot path. A process whose config names no C++ function never calls it.
 */
#ifndef MEMO_CXX_NAME_H
#define MEMO_CXX_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include "find/elf.h"
#include "find/hook.h"

/* The last identifier of the name as every mangled symbol of the function
 * holds it ("6energy" for `model::energy(...)`), into hint; "" when the
 * name ends in something else (an operator, a template). An object whose
 * symbols hold no such text cannot define the function. */
void cxx_name_hint(const char *wanted, char *hint, size_t cap);

/* The function `wanted` names in img: 1 with *out (its mangled symbol)
 * filled; 0 when none; -1 when it names several functions (overloads:
 * why[] lists them, with the parameter lists that tell them apart). */
int cxx_name_find(const struct elf_image *img, const char *wanted, struct elf_sym *out,
		  char *why, size_t n);

/* Does the mangled symbol name the function `wanted` (`model::energy`,
 * or with a parameter list)? */
bool cxx_name_matches(const char *mangled, const char *wanted);

/* How a config names the C++ function whose symbol is `mangled`: its
 * demangled name (`model::energy`) into *fname, and into *section the
 * same, or with the parameter list where img has overloads of that name;
 * both allocated, of any length (the caller frees them). 1, or 0 (both
 * NULL) when the symbol is no C++ function a prototype can name (not
 * mangled, a template, an operator) or out of memory. */
int cxx_name_section(const struct elf_image *img, const char *mangled, char **section, char **fname);

/* What the mangled name of h's function says against memoizing it as
 * configured, whatever the prototype says and with no debug info: a
 * std::string returned by value ([cxx-object]: g++ tags the function's
 * name [abi:cxx11]), a `const std::string &` the function takes in the
 * old ABI's layout, or a `const std::vector<T> &` where it takes no vector
 * ([prototype-mismatch]). 0, or -1 with h refused. */
int cxx_name_check(struct hook *h, const char *mangled);

/* The demangled text of a mangled symbol, allocated (the caller frees
 * it); NULL when it is not one, or when it is too long for this thread's
 * stack to demangle (~128 bytes of stack a character past 1,000). */
char *cxx_name_demangle(const char *mangled);

#endif
