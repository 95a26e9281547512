/*
 * proto: the prototype language (README.md "Configure"), parsed into a call
 * plan that the hot path walks without further thought.
 * Owns struct proto and the length-expression evaluator. Calls nothing but libc.
 * proto_parse runs at start-up only; len_eval is hot-path safe (no allocation,
 * no locks, any thread).
 *
 * Example:
 *   double simulate(int seed, const double params[n], size_t n, long job_id)
 * gives ret = double, args = { scalar int32, ARG_IN of double with len "n",
 * scalar u64, scalar i64 }.
 */
#ifndef MEMO_PROTO_H
#define MEMO_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/strpool.h"

#define PROTO_MAX_ARGS 32
#define PROTO_MAX_NAME 64
#define PROTO_MAX_LEN_CODE 32
/* proto_parse refuses a prototype whose canonical text would not fit in this
 * many bytes, so a buffer of this size always holds it whole. */
#define PROTO_CANON_MAX 4096

/* The class of a scalar C type; with its size it fixes the ABI and the key. */
enum scalar_class {
	SC_VOID = 0,
	SC_SINT,	/* signed integers, char (signed on x86-64) */
	SC_UINT,	/* unsigned integers, size_t */
	SC_BOOL,	/* _Bool / bool */
	SC_FLOAT,	/* float, double, long double */
	SC_PTR,		/* any pointer (arrays, strings, opaque handles) */
	SC_STRUCT,	/* a struct of [types] (config/types.h): .def is its layout */
	SC_COMPLEX,	/* float, double, long double _Complex: .def is (re, im) */
};

struct type_def;

struct scalar_type {
	uint8_t cls;	/* enum scalar_class */
	uint16_t size;	/* bytes it occupies in memory: 1, 2, 4, 8, 16; a struct's sizeof */
	/* bytes that carry the value: 10 for long double, else size; for a
	 * struct or complex, the sum of def's runs (padding left out) */
	uint16_t bits;
	/* Canonical spelling that goes into the key ("i32", "u64", "f64", "ptr"...):
	 * `long` and `int64_t` are the same type and give the same key. */
	const char *canon;
	/* SC_STRUCT, SC_COMPLEX: the layout, hashed run by run (types.h) */
	const struct type_def *def;
};

enum arg_kind {
	ARG_SCALAR = 0,	/* hashed by value */
	ARG_IN,		/* const T name[LEN]: LEN elements hashed */
	ARG_STRING,	/* const char *name: NUL-terminated, hashed */
	ARG_OUT,	/* out T name[LEN]: not hashed, restored on a hit */
	ARG_INOUT,	/* inout T name[LEN]: hashed on entry, restored on a hit */
	ARG_OPAQUE,	/* opaque void *name: not hashed */
	ARG_REF,	/* const T *name: a scalar passed by reference (Fortran):
			 * hashed by the value it points to; in a length, that value */
	ARG_CXX_VECTOR,	/* const std::vector<T> &name: its T elements hashed (libstdc++) */
	ARG_CXX_STRING,	/* const std::string &name: its characters hashed (libstdc++) */
};

/* Length expression, compiled to reverse Polish notation. */
enum len_op { LEN_LIT = 0, LEN_ARG, LEN_ADD, LEN_SUB, LEN_MUL, LEN_DIV };
struct len_expr {
	uint8_t n;
	struct {
		uint8_t op;	/* enum len_op */
		int64_t val;	/* LEN_LIT: the literal; LEN_ARG: argument index */
	} code[PROTO_MAX_LEN_CODE];
};

struct proto_arg {
	char name[PROTO_MAX_NAME];
	uint8_t kind;			/* enum arg_kind */
	/* ARG_SCALAR, ARG_REF: the argument's type. Arrays and strings: the element type
	 * (SC_VOID with size 1 for `void name[LEN]`, i.e. bytes). ARG_OPAQUE: ptr. */
	struct scalar_type type;
	struct len_expr len;		/* ARG_IN, ARG_OUT, ARG_INOUT */
	bool ignored;			/* named in ignore_args: left out of the key */
	int col;			/* 1-based column in the prototype text */
};

enum ret_kind {
	RET_VOID = 0,
	RET_SCALAR,		/* returned by value */
	RET_STRING_STATIC,	/* char *, return = static: copy into a per-thread buffer */
	RET_STRING_MALLOC,	/* char *, return = malloc: a fresh malloc the caller frees */
	RET_ARGUMENT,		/* T *, return = argument NAME: the caller's own pointer */
	RET_POINTER_UNSET,	/* a pointer return not yet given a `return =` rule (an error
				 * once the whole [function] section has been read) */
	RET_CXX_OBJECT,		/* a C++ class by value (std::string...): parsed so that
				 * the hook is refused with the reason (call/closure.c) */
};

struct proto {
	/* the function name as written (`ns::f` too), of any length: in the
	 * pool proto_parse was given */
	const char *name;
	struct scalar_type ret;		/* SC_PTR for pointer returns */
	char ret_cxx[96];		/* RET_CXX_OBJECT: the class as written */
	uint8_t ret_kind;		/* enum ret_kind */
	int ret_arg;			/* RET_ARGUMENT: index of that argument */
	int nargs;
	bool uses_float;		/* any float argument or return: key includes MXCSR */
	/* nargs of them (NULL for none), in the pool proto_parse was given:
	 * sized by the prototype, so that a config's [function] entries
	 * (config.h) stay small and share pages */
	struct proto_arg *args;
};

/* Where a prototype went wrong: column (1-based) and a message with a hint. */
struct proto_error {
	int col;
	char msg[256];
};

/* Parse `text` into *p, its function's name and its arguments into `names`
 * (the proto lives no longer than the pool). Returns 0, or -1 with *err
 * filled (and no arguments). Lengths are checked: a length naming no
 * argument, or an argument that is not an integer scalar, is an error. */
int proto_parse(const char *text, struct proto *p, struct proto_error *err, struct strpool *names);

/* proto_parse where `struct NAME` may name a struct of [types]: looked up in
 * the list *types, or added to it undeclared (types_settle fills the
 * prototype's sizes once every file is read, or says it is undeclared). */
int proto_parse_typed(const char *text, struct proto *p, struct proto_error *err,
		      struct strpool *names, struct type_def **types);

/* The fields of a [types] declaration, `{ double lo; double hi; }`, into
 * d->field (types.c lays them out). A field is a scalar, a complex or a
 * struct declared before, with an optional literal count (`double v[3]`).
 * Returns 0, or -1 with *err filled (its column in `text`). */
int proto_parse_fields(const char *text, struct type_def *d, struct type_def *const *types,
		       struct proto_error *err);

/* The scalar type of class cls and size bytes (SC_SINT 4: int...), as a
 * prototype would name it; NULL when there is none (for the debug info's
 * description of a struct's fields). */
const struct scalar_type *proto_scalar(enum scalar_class cls, unsigned size);

/* Apply the `return = static | malloc | argument NAME` rule to a parsed
 * prototype. Returns 0, or -1 with err->msg filled. */
int proto_set_return(struct proto *p, const char *rule, struct proto_error *err);

/* Mark `name` ignored. Returns 0, or -1 if no argument has that name. */
int proto_ignore_arg(struct proto *p, const char *name);

/* Evaluate a length for one call. `args` are libffi's argument pointers.
 * Returns 0 and the element count, or -1 when it is negative, overflows,
 * divides by zero, or names a by-reference argument that is NULL (the call
 * is then not memoized). A non-NULL one is read: the caller checked it is
 * readable (key_unreadable_arg). */
int len_eval(const struct len_expr *e, const struct proto *p, void *const *args,
	     uint64_t *count);

/* The canonical text of the prototype and its rules, for the key: stable
 * across spelling (`long` vs `int64_t`, spaces, qualifiers). Returns length. */
size_t proto_canonical(const struct proto *p, char *buf, size_t cap);

#endif
