/*
 * dwarf: what the debug info says a function takes and returns, read with
 * libdw from the object itself or from its separate debug file (by build-id
 * under /usr/lib/debug/.build-id/, or by .gnu_debuglink beside the object,
 * in its .debug/ folder, or under /usr/lib/debug).
 * Calls libdw, libelf and libc only: it is its own object,
 * libmemo-dwarf.so, which the engine loads (dlopen) only when a check's
 * verdict is not cached (signature.c), so that libdw and its libraries cost
 * a process's start-up nothing; the memo command links it. Start-up and
 * tools only (opens, allocates); one call at a time in a process: it keeps
 * the last object's debug file open for the next call.
 */
#ifndef MEMO_DWARF_H
#define MEMO_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config/proto.h"

/* The class of a type, as far as the calling convention and the key care. */
enum dwarf_class {
	DWC_UNKNOWN = 0,	/* not read (a complex, a vector...): never compared */
	DWC_VOID,		/* no return value; a pointer's `void` target */
	DWC_INT,		/* integers, enums, char */
	DWC_BOOL,
	DWC_FLOAT,		/* float, double, long double */
	DWC_POINTER,		/* pointers, C++ references, arrays (they decay) */
	DWC_RECORD,		/* a struct, union or class (by value, or pointed to) */
	DWC_FUNCTION,		/* a pointer's target: code */
	DWC_COMPLEX,		/* float, double, long double _Complex */
};

/* A scalar inside a struct, by offset: a struct's layout, its nested
 * structs and array members flattened. */
#define DWARF_MAX_LEAVES 32
struct dwarf_leaf {
	uint16_t off;
	uint8_t cls;		/* enum dwarf_class: DWC_INT, DWC_FLOAT, DWC_COMPLEX, DWC_POINTER... */
	uint8_t size;
	bool is_signed;		/* DWC_INT */
};

/* One type; for a pointer, also what it points to. */
struct dwarf_type {
	uint8_t cls;		/* enum dwarf_class */
	bool is_signed;		/* DWC_INT */
	bool is_char;		/* DWC_INT of a char encoding */
	bool is_reference;	/* DWC_POINTER: a C++ `&` or `&&` */
	uint32_t size;		/* bytes */
	/* DWC_POINTER: what it points to (after qualifiers and typedefs) */
	uint8_t elem_cls;	/* enum dwarf_class */
	bool elem_const, elem_char, elem_int;
	uint32_t elem_size;	/* 0 when unknown (void, incomplete) */
	bool elem_members;	/* DWC_RECORD with members: a complete type */
	/* A DWC_RECORD (by value, or pointed to): its scalars in order of
	 * offset; -1 when they cannot be listed (a union, a bit-field, more
	 * than DWARF_MAX_LEAVES), 0 when it is not a complete record. */
	int nleaves;
	struct dwarf_leaf leaves[DWARF_MAX_LEAVES];
	/* The type's name as C spells it, for messages: "double", "size_t",
	 * "const double *", "struct z_stream_s *", "std::vector<double> const &". */
	char spelling[96];
	/* The scalar (or, for a pointer, the pointed-to scalar) as the prototype
	 * language writes it ("double", "size_t", "unsigned int"), or "" when it
	 * has no such word (records, pointers to pointers). */
	char proto_name[48];
};

struct dwarf_func {
	int nargs;		/* formal parameters, `this` included (may exceed PROTO_MAX_ARGS) */
	bool variadic;
	struct dwarf_type ret;
	struct dwarf_type args[PROTO_MAX_ARGS];
	char names[PROTO_MAX_ARGS][PROTO_MAX_NAME];	/* "" when unnamed */
	char debug_file[4096];	/* where the debug info was read; "" when none was found */
};

/* The exported name of dwarf_describe in libmemo-dwarf.so (for dlsym). */
#define DWARF_DESCRIBE_SYM "memo_dwarf_describe"
typedef int dwarf_describe_fn(const char *path, uint64_t vaddr, struct dwarf_func *out,
			      char *why, size_t whylen);

/* Describe the function defined at file address `vaddr` of the ELF file
 * `path`. Returns 1 with *out filled; 0 when no debug info describes it
 * (why[] says what was looked for); -1 when a file cannot be read. */
int memo_dwarf_describe(const char *path, uint64_t vaddr, struct dwarf_func *out,
			char *why, size_t whylen);

/* The build-id debug file's path for a build-id, into buf: where Debian's
 * -dbgsym packages install it (/usr/lib/debug/.build-id/xx/rest.debug).
 * Inline: the engine asks it too, without loading this object. 0, or -1
 * when the build-id is too short or the path does not fit. */
static inline int dwarf_build_id_path(const uint8_t *id, size_t len, char *buf, size_t n)
{
	static const char dir[] = "/usr/lib/debug/.build-id/", digits[] = "0123456789abcdef";
	size_t used = sizeof dir - 1;

	/* digit by digit: snprintf's "%02x" for each byte was ~14 k instructions */
	if (len < 2 || used + 2 * len + 8 >= n)
		return -1;
	memcpy(buf, dir, used);
	for (size_t i = 0; i < len; i++) {
		buf[used++] = digits[id[i] >> 4];
		buf[used++] = digits[id[i] & 15];
		if (i == 0)
			buf[used++] = '/';
	}
	memcpy(buf + used, ".debug", 7);
	return 0;
}

#endif
