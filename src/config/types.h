/*
 * types: the structs a config declares in [types], and their layouts.
 * Owns struct type_def: a struct's fields as C lays them out on x86-64, the
 * runs of bytes that carry its values (what keys hash, never the padding),
 * how the psABI returns it, and its canonical text for the key. Calls proto
 * (the field parser) and libc. types_declare and types_settle run while the
 * config loads (they allocate); a type_def is read-only afterwards, and its
 * runs are read on the hot path (any thread).
 *
 *	[types]
 *	struct range = { double lo; double hi; }
 *
 * gives size 16, align 8, runs { 0..16 }, returned in xmm0:xmm1, canonical
 * text "{f64,f64}". `struct pad = { char c; double x; }` has runs { 0..1,
 * 8..16 }: the 7 bytes between are never hashed.
 */
#ifndef MEMO_TYPES_H
#define MEMO_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "config/proto.h"

#define TYPE_MAX_FIELDS 32
#define TYPE_MAX_RUNS 32
#define TYPE_CANON_MAX 200

/* Where a value of the type comes back from a call (x86-64 psABI). */
enum type_ret {
	TYPE_RET_MEMORY = 0,	/* in the caller's memory, its address in %rax (sret) */
	TYPE_RET_REGS,		/* in registers: ret_regs says which */
	TYPE_RET_X87,		/* on the x87 stack (long double _Complex): nothing to keep */
};
/* ret_regs: the registers a TYPE_RET_REGS value occupies. */
#define TYPE_REG_RAX 1
#define TYPE_REG_RDX 2
#define TYPE_REG_XMM0 4
#define TYPE_REG_XMM1 8

struct type_field {
	struct scalar_type type;	/* a scalar, a complex, or a struct (type.def) */
	uint16_t off;			/* bytes from the struct's start */
	uint16_t count;			/* `double v[3]`: 3; else 1 */
};

/* A span of bytes that carries a value. */
struct type_run {
	uint16_t off, len;
};

struct type_def {
	struct type_def *next;		/* the config's list (memo_config.types) */
	char name[PROTO_MAX_NAME];	/* the tag: "range" */
	/* where it was declared; 0 = named, not declared yet (a `struct NAME`
	 * left so is defined from the debug info at activation: types_define);
	 * -1 = defined so */
	int line;
	bool bare;			/* a typedef name (`div_t`), not `struct NAME`: as declared,
					 * else as first named */
	char file[256];			/* the file it was declared in, for messages */
	uint16_t size, align;
	bool has_float;			/* a float field: keys include the rounding mode */
	bool padded;			/* its runs leave bytes out: hashed run by run */
	bool by_value;			/* may be passed and returned by value (no long double) */
	uint8_t ret;			/* enum type_ret */
	uint8_t ret_regs;		/* TYPE_REG_* */
	int nfields;
	struct type_field field[TYPE_MAX_FIELDS];
	int nruns;
	struct type_run run[TYPE_MAX_RUNS];
	char canon[TYPE_CANON_MAX];	/* "{f64,f64}": the key's view of the layout */
};

/* Declare `key = value` of a [types] section ("struct range", "{ double lo;
 * double hi; }") in the list *types. Returns 0, or -1 with *err filled: its
 * column counts in `value`, or is 0 for an error in the key. */
int types_declare(struct type_def **types, const char *key, const char *value,
		  const char *file, int line, struct proto_error *err);

/* Once every file is read, and again once the debug info defined what it
 * could: give p's struct arguments and return their sizes and canonical
 * text, and check them. A `struct NAME` no file declares is left for the
 * debug info (size 0: types_undefined). Returns 0, or -1 with err->msg
 * filled and *arg the argument at fault (-1: the return). */
int types_settle(struct proto *p, int *arg, struct proto_error *err);

/* Define d, a `struct NAME` no file declared, from the debug info: its
 * scalars (fields, with their offsets as the debug info gives them, a count
 * of 1) and its size. Refused unless C would place those fields there (a
 * nested struct's padding is not flattened away). 0, or -1 with err->msg.
 * Under runtime_lock or at start-up: the hooks that name d are not active. */
int types_define(struct type_def *d, const struct type_field *fields, int n, unsigned size,
		 struct proto_error *err);

/* The first struct of p (its return, then its arguments) neither declared
 * nor defined yet; NULL when there is none. */
const struct type_def *types_undefined(const struct proto *p);

/* Whether p names a struct it has not the size of yet: undefined, or
 * defined since by another prototype's debug info (types_settle then). */
bool types_unsettled(const struct proto *p);

/* Free the list. */
void types_release(struct type_def **types);

#endif
