/*
 * proto_check: unit tests of proto.c — len_eval's arithmetic and refusals,
 * proto_canonical's stability — and a probe for the test scripts.
 * Calls proto only. A test program: single-threaded, exits on the first failure.
 *
 *   proto_check                      run the unit tests, print "ok N"
 *   proto_check 'PROTO' [RULE]       print the canonical text, or "COL: message"
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/proto.h"

static int checks;
static struct strpool names;	/* the functions' names: the process's life */

#define CHECK(cond)                                                               \
	do {                                                                      \
		checks++;                                                         \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			exit(1);                                                  \
		}                                                                 \
	} while (0)

static void parse_ok(const char *text, struct proto *p)
{
	struct proto_error err;

	if (proto_parse(text, p, &err, &names) < 0) {
		fprintf(stderr, "'%s': %d: %s\n", text, err.col, err.msg);
		exit(1);
	}
}

static const char *canon(const char *text, const char *ignore, const char *rule)
{
	static char buf[2][PROTO_CANON_MAX];
	static int which;
	struct proto p;
	struct proto_error err;
	char *b = buf[which ^= 1];

	parse_ok(text, &p);
	if (ignore)
		CHECK(proto_ignore_arg(&p, ignore) == 0);
	if (rule && proto_set_return(&p, rule, &err) < 0) {
		fprintf(stderr, "'%s': %s\n", rule, err.msg);
		exit(1);
	}
	CHECK(proto_canonical(&p, b, PROTO_CANON_MAX) < PROTO_CANON_MAX);
	return b;
}

/* Evaluates the length of argument 0 of `text` with the argument values
 * given in order (each stored with its declared size, as libffi does). */
static int eval(const char *text, uint64_t *count, ...)
{
	struct proto p;
	union {
		int8_t i8;
		int16_t i16;
		int32_t i32;
		int64_t i64;
		uint64_t u64;
	} vals[PROTO_MAX_ARGS];
	void *args[PROTO_MAX_ARGS];
	va_list ap;
	int i;

	parse_ok(text, &p);
	va_start(ap, count);
	for (i = 0; i < p.nargs; i++) {
		long long v = i ? va_arg(ap, long long) : 0;
		const struct scalar_type *t = &p.args[i].type;

		memset(&vals[i], 0xa5, sizeof vals[i]);	/* garbage above the value's size */
		if (t->size == 1)
			vals[i].i8 = (int8_t)v;
		else if (t->size == 2)
			vals[i].i16 = (int16_t)v;
		else if (t->size == 4)
			vals[i].i32 = (int32_t)v;
		else
			vals[i].i64 = v;
		args[i] = &vals[i];
	}
	va_end(ap);
	return len_eval(&p.args[0].len, &p, args, count);
}

static void test_len_eval(void)
{
	uint64_t c;

	CHECK(eval("void f(const double x[n], int n)", &c, 7LL) == 0 && c == 7);
	CHECK(eval("void f(const double x[n], int n)", &c, 0LL) == 0 && c == 0);
	CHECK(eval("void f(const double x[n], int n)", &c, -1LL) == -1);
	CHECK(eval("void f(const double x[n], char n)", &c, -3LL) == -1);
	CHECK(eval("void f(const double x[n], unsigned char n)", &c, 200LL) == 0 && c == 200);
	CHECK(eval("void f(const double x[n], short n)", &c, 300LL) == 0 && c == 300);
	CHECK(eval("void f(const double x[n], unsigned n)", &c, (long long)0xffffffffu) == 0 &&
	      c == 0xffffffffu);
	/* A size_t above INT64_MAX cannot be a length. */
	CHECK(eval("void f(const double x[n], size_t n)", &c, -1LL) == -1);
	CHECK(eval("void f(const double x[n], size_t n)", &c, (long long)INT64_MAX) == 0 &&
	      c == (uint64_t)INT64_MAX);
	/* Several arguments, parentheses, all four operators. */
	CHECK(eval("void f(out double y[(n + 1) * m - 2], long n, int m)", &c, 3LL, 5LL) == 0 &&
	      c == 18);
	CHECK(eval("void f(out double y[n * (m - k) / 2], long n, int m, int k)", &c, 4LL, 9LL, 2LL) == 0 &&
	      c == 14);
	CHECK(eval("void f(const void b[n - m + 10], int n, int m)", &c, 1LL, 5LL) == 0 && c == 6);
	/* Negative only in the middle is fine; a negative result is not. */
	CHECK(eval("void f(const int x[(n - m) * (n - m)], int n, int m)", &c, 1LL, 4LL) == 0 && c == 9);
	CHECK(eval("void f(const int x[n - m], int n, int m)", &c, 1LL, 4LL) == -1);
	/* Overflow anywhere, division by zero, INT64_MIN / -1. */
	CHECK(eval("void f(const int x[n * m], long n, long m)", &c, 1LL << 32, 1LL << 31) == -1);
	CHECK(eval("void f(const int x[n + m], long n, long m)", &c, (long long)INT64_MAX, 1LL) == -1);
	CHECK(eval("void f(const int x[0 - n - m], long n, long m)", &c, (long long)INT64_MAX, 2LL) == -1);
	CHECK(eval("void f(const int x[n / m], long n, long m)", &c, 10LL, 0LL) == -1);
	CHECK(eval("void f(const int x[(0 - n - 1) / m * 0], long n, long m)", &c, (long long)INT64_MAX, -1LL) == -1);
	CHECK(eval("void f(const int x[n / m], long n, long m)", &c, 10LL, 3LL) == 0 && c == 3);
	/* A divisor that is 0 only by an argument's value is the call's refusal,
	 * not the load's (a constant 0 is refused at load: test_parse_details). */
	CHECK(eval("void f(const int x[n / (0 / n)], long n)", &c, 5LL) == -1);
	CHECK(eval("void f(const int x[n / (0 / n)], long n)", &c, 0LL) == -1);
	CHECK(eval("void f(const int x[n / (2 - 1)], long n)", &c, 5LL) == 0 && c == 5);
	/* Literals, hex, suffixes; a later argument. */
	CHECK(eval("void f(const int x[0x10 + 2u])", &c) == 0 && c == 18);
	CHECK(eval("void f(const int x[9223372036854775807])", &c) == 0 && c == (uint64_t)INT64_MAX);
}

static void test_canonical(void)
{
	char a[PROTO_CANON_MAX];
	const char *b;

	/* Spelling does not matter: long is int64_t, names and spaces are free. */
	strcpy(a, canon("double simulate(int seed, const double params[n], size_t n, long job_id)",
			"job_id", NULL));
	CHECK(!strcmp(a, "proto1 f64 (i32, in f64[$2], u64, ignored i64)"));
	b = canon("double  other ( int32_t s , double const volatile p [ m ] , unsigned long m, int64_t j );",
		  "j", NULL);
	CHECK(!strcmp(a, b));
	CHECK(!strcmp(canon("long long f(signed char a, unsigned short int b, long int c)", NULL, NULL),
		      canon("int64_t f(int8_t a, uint16_t b, ssize_t c)", NULL, NULL)));
	CHECK(!strcmp(canon("void f(const char *restrict s, opaque void *const h)", NULL, NULL),
		      canon("void f(char const *s, opaque struct ctx *h)", NULL, NULL)));
	/* Whatever changes the meaning of the bytes changes the text. */
	strcpy(a, canon("void f(const double x[n], int n)", NULL, NULL));
	CHECK(strcmp(a, canon("void f(const double x[n + 1], int n)", NULL, NULL)));
	CHECK(strcmp(a, canon("void f(inout double x[n], int n)", NULL, NULL)));
	CHECK(strcmp(a, canon("void f(out double x[n], int n)", NULL, NULL)));
	CHECK(strcmp(a, canon("void f(const float x[n], int n)", NULL, NULL)));
	CHECK(strcmp(a, canon("void f(const double x[n], long n)", NULL, NULL)));
	CHECK(strcmp(a, canon("void f(const double x[n], int n)", "n", NULL)));
	CHECK(strcmp(a, canon("int f(const double x[n], int n)", NULL, NULL)));
	CHECK(strcmp(canon("void f(int a, int b)", "a", NULL), canon("void f(int a, int b)", "b", NULL)));
	CHECK(strcmp(canon("void f(const void x[n], int n, int m)", NULL, NULL),
		     canon("void f(const void x[m], int n, int m)", NULL, NULL)));
	CHECK(strcmp(canon("char *f(const char *s)", NULL, "static"),
		     canon("char *f(const char *s)", NULL, "malloc")));
	CHECK(!strcmp(canon("char *f(out char b[n], size_t n)", NULL, "argument b"),
		      "proto1 str argument $0 (out i8[$1], u64)"));
	CHECK(!strcmp(canon("long double f(const void b[(n + 1) * 2], size_t n, _Bool z)", NULL, NULL),
		      "proto1 f80 (in void[$1 1 + 2 *], u64, bool)"));
}

static void test_parse_details(void)
{
	struct proto p;
	struct proto_error err;

	parse_ok("float f(const long double x[2], int n)", &p);
	CHECK(p.uses_float && p.ret.size == 4 && p.args[0].type.size == 16 && p.args[0].type.bits == 10);
	parse_ok("int f(const int x[n], int n)", &p);
	CHECK(!p.uses_float && p.args[1].col == 23 && p.args[0].col == 7);
	parse_ok("void f(void)", &p);
	CHECK(p.nargs == 0 && p.ret_kind == RET_VOID);
	parse_ok("void *f(opaque void *h)", &p);
	CHECK(p.ret_kind == RET_POINTER_UNSET && p.ret.cls == SC_PTR);
	parse_ok("const char *f(int x)", &p);
	CHECK(p.ret_kind == RET_POINTER_UNSET);
	parse_ok("void f(const void b[n], out void o[n], size_t n)", &p);
	CHECK(p.args[0].type.cls == SC_VOID && p.args[0].type.size == 1 && p.args[1].kind == ARG_OUT);
	/* A constant divisor of 0, however written, is refused at the '/'. */
	CHECK(proto_parse("void f(const int x[n / 0], int n)", &p, &err, &names) < 0 && err.col == 22);
	CHECK(proto_parse("void f(const int x[n / (1 - 1) + 1], int n)", &p, &err, &names) < 0 && err.col == 22);
	CHECK(proto_parse("void f(const int x[2 / 0x0], int n)", &p, &err, &names) < 0 && err.col == 22);
}

/* Scalars passed by reference (Fortran): `const T *name` is ARG_REF, read
 * through its pointer in lengths; a NULL one fails the length. */
static void test_by_reference(void)
{
	struct proto p;
	struct proto_error err;
	int n = 3, lda = 5, nrhs = 2;
	void *pn = &n, *plda = &lda, *pnrhs = &nrhs, *pnull = NULL, *pa = NULL;
	void *args[4] = { &pn, &pnrhs, &pa, &plda };
	uint64_t c;

	parse_ok("void dgesv_(const int *n, const int *nrhs, const double a[lda * n], "
		 "const int *lda)", &p);
	CHECK(p.args[0].kind == ARG_REF && p.args[0].type.size == 4 && p.args[2].kind == ARG_IN);
	CHECK(len_eval(&p.args[2].len, &p, args, &c) == 0 && c == 15);
	args[3] = &pnull;
	CHECK(len_eval(&p.args[2].len, &p, args, &c) == -1);
	CHECK(!strcmp(canon("void f(const int *n, const double *const tol, const double a[n])", NULL, NULL),
		      "proto1 void (ref i32, ref f64, in f64[$0])"));
	/* a by-reference value is not a length of one: another key */
	CHECK(strcmp(canon("void f(const int *n)", NULL, NULL), canon("void f(const int n[1])", NULL, NULL)));
	/* strings stay strings; bytes and void stay buffers that need a length */
	parse_ok("void f(const char *s, const long double *x)", &p);
	CHECK(p.args[0].kind == ARG_STRING && p.args[1].kind == ARG_REF && p.args[1].type.bits == 10);
	CHECK(proto_parse("void f(const unsigned char *b)", &p, &err, &names) < 0);
	CHECK(proto_parse("void f(const void *b)", &p, &err, &names) < 0);
	CHECK(proto_parse("void f(const double *tol, const double x[tol])", &p, &err, &names) < 0);
	CHECK(proto_parse("void f(const double a[*n], const int *n)", &p, &err, &names) < 0 && err.col == 23 &&
	      strstr(err.msg, "write 'n'"));
}

int main(int argc, char **argv)
{
	if (argc >= 2) {
		struct proto p;
		struct proto_error err;
		char buf[PROTO_CANON_MAX];

		if (proto_parse(argv[1], &p, &err, &names) < 0 ||
		    (argc > 2 && proto_set_return(&p, argv[2], &err) < 0)) {
			printf("%d: %s\n", err.col, err.msg);
			return 1;
		}
		proto_canonical(&p, buf, sizeof buf);
		printf("%s\n", buf);
		return 0;
	}
	test_len_eval();
	test_canonical();
	test_parse_details();
	test_by_reference();
	printf("ok %d\n", checks);
	return 0;
}
