/*
 * config_check: loads a config as libmemo does and prints what it got, so the
 * t01xx tests compare it byte for byte. Calls config, proto, log.
 * A test program: single-threaded.
 *
 *   config_check PATH
 * Errors go to stderr exactly as libmemo prints them ("libmemo: error:
 * FILE:LINE[:COL]: ..."), then "N errors" on stdout and exit 1. A valid
 * config prints a dump of every setting and exits 0.
 */
#include <stdio.h>

#include "config/config.h"
#include "base/log.h"

static const char *cls_name[] = { "void", "sint", "uint", "bool", "float", "ptr" };
static const char *kind_name[] = { "scalar", "in", "string", "out", "inout", "opaque", "ref" };

static void type(const struct scalar_type *t)
{
	printf("%s (%s, size %d, bits %d)", t->canon, cls_name[t->cls], t->size, t->bits);
}

static void function(const struct function_config *f)
{
	const struct proto *p = &f->proto;
	char canon[PROTO_CANON_MAX];
	int i, j;

	proto_canonical(p, canon, sizeof canon);
	printf("[function %s%s%s] %s:%d\n", f->symbol, f->version[0] ? "@" : "", f->version,
	       f->file, f->line);
	printf("canonical = %s\n", canon);
	printf("name = %s\n", p->name);
	printf("return = ");
	type(&p->ret);
	switch (p->ret_kind) {
	case RET_VOID: printf(" void\n"); break;
	case RET_SCALAR: printf(" scalar\n"); break;
	case RET_STRING_STATIC: printf(" static\n"); break;
	case RET_STRING_MALLOC: printf(" malloc\n"); break;
	case RET_ARGUMENT: printf(" argument %d (%s)\n", p->ret_arg, p->args[p->ret_arg].name); break;
	default: printf(" unset\n"); break;
	}
	printf("uses_float = %s\n", p->uses_float ? "yes" : "no");
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];

		printf("arg %d = %s: %s ", i, a->name, kind_name[a->kind]);
		type(&a->type);
		if (a->len.n) {
			printf(" len");
			for (j = 0; j < a->len.n; j++) {
				long long v = a->len.code[j].val;
				switch (a->len.code[j].op) {
				case LEN_LIT: printf(" %lld", v); break;
				case LEN_ARG: printf(" %s", p->args[v].name); break;
				default: printf(" %c", "..+-*/"[a->len.code[j].op]); break;
				}
			}
		}
		printf(" col %d%s\n", a->col, a->ignored ? " ignored" : "");
	}
	printf("time_threshold = %g\n", f->time_threshold);
	printf("allow_repeated_evaluations = %s\n", f->repeated ? "yes" : "no");
	printf("rtol_stderr = %g\n", f->rtol_stderr);
	printf("min_repetitions = %d\n", f->min_repetitions);
	printf("max_repetitions = %d\n", f->max_repetitions);
	printf("mechanism = %s\n", (const char *[]){ "auto", "inline", "got" }[f->mechanism]);
	printf("object = %s\n", f->object);
	printf("single_flight = %s\n", f->single_flight ? "yes" : "no");
	printf("single_flight_wait_s = %g\n", f->single_flight_wait_s);
	printf("verify = %g\n", f->verify);
	printf("globals = %s\n", f->globals);
}

int main(int argc, char **argv)
{
	struct memo_config cfg = { 0 };
	const struct cache_config *c = &cfg.cache;
	int errors, i;

	if (argc != 2) {
		fprintf(stderr, "usage: config_check PATH\n");
		return 2;
	}
	log_init();
	errors = config_load(argv[1], &cfg);
	if (errors) {
		printf("%d error%s\n", errors, errors > 1 ? "s" : "");
		config_release(&cfg);
		return 1;
	}
	if (c->line)
		printf("[cache] %s:%d\n", c->file, c->line);
	else
		printf("[cache] defaults\n");
	printf("dir = %s\n", c->dir);
	printf("servers = %s\n", c->servers);
	printf("connect_timeout_ms = %d\n", c->connect_timeout_ms);
	printf("timeout_ms = %d\n", c->timeout_ms);
	printf("max_size = %llu\n", (unsigned long long)c->max_size);
	printf("stats = %s\n", c->stats);
	printf("namespace = %s\n", c->namespace_);
	printf("secret_file = %s\n", c->secret_file);
	printf("sasl_user = %s\n", c->sasl_user);
	printf("sasl_password_file = %s\n", c->sasl_password_file);
	for (i = 0; i < cfg.nfuncs; i++)
		function(&cfg.funcs[i]);
	config_release(&cfg);
	return 0;
}
