/*
 * inltest driver: a stand-in for libmemo's call path, preloaded by the t05*
 * tests until the lead's core (shim/call.c, shim/memo.c) drives shim/inline.c.
 * It links the real inline.o, entry.o and log.o: for each hook named in
 * $INLTEST it finds the function (inline_find), builds a libffi closure that
 * counts calls and calls h->orig, and entry-patches it (inline_prepare, then
 * inline_install); objects dlopen'ed later are patched by inline_after_dlopen.
 * Threads: the closure is thread-safe (atomic counters, a locked memo table).
 *
 *   INLTEST="fib:l(l):m;add8:l(llllllll)"   NAME:RET(ARGS)[:FLAGS]
 *   types: v i l c(char) b(_Bool) f d D(long double) p; flags: m = memoize on
 *   the first argument (so recursion shows), b = check that a backtrace taken
 *   in the handler reaches main.
 * At exit it prints "inltest: NAME calls=N" for each hook on stderr.
 */
#include <dlfcn.h>
#include <ffi.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "hook.h"
#include "inline.h"
#include "log.h"

#define MAXH 16
#define MEMO_SLOTS 4096

struct extra {
	char sig[40];
	int memo, bt, bt_done;
	uint64_t calls;
	ffi_type *ret;
	struct { int used; int64_t key; unsigned char val[16]; } *table;
};

static struct hook H[MAXH];
static struct function_config F[MAXH];
static struct extra X[MAXH];
static int NH;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ffi_type *ffi_of(char c, struct scalar_type *t)
{
	switch (c) {
	case 'v': *t = (struct scalar_type){ SC_VOID, 0, 0, "void" }; return &ffi_type_void;
	case 'i': *t = (struct scalar_type){ SC_SINT, 4, 4, "i32" }; return &ffi_type_sint32;
	case 'l': *t = (struct scalar_type){ SC_SINT, 8, 8, "i64" }; return &ffi_type_sint64;
	case 'c': *t = (struct scalar_type){ SC_SINT, 1, 1, "i8" }; return &ffi_type_sint8;
	case 'b': *t = (struct scalar_type){ SC_BOOL, 1, 1, "bool" }; return &ffi_type_uint8;
	case 'f': *t = (struct scalar_type){ SC_FLOAT, 4, 4, "f32" }; return &ffi_type_float;
	case 'd': *t = (struct scalar_type){ SC_FLOAT, 8, 8, "f64" }; return &ffi_type_double;
	case 'D': *t = (struct scalar_type){ SC_FLOAT, 16, 10, "f80" }; return &ffi_type_longdouble;
	case 'p': *t = (struct scalar_type){ SC_PTR, 8, 8, "ptr" }; return &ffi_type_pointer;
	}
	return NULL;
}

static void check_backtrace(struct hook *h, struct extra *x)
{
	unw_context_t ctx;
	unw_cursor_t cur;
	unw_word_t off;
	char name[128], path[512] = "";
	int depth = 0, found = 0;

	if (__atomic_exchange_n(&x->bt_done, 1, __ATOMIC_RELAXED))
		return;
	unw_getcontext(&ctx);
	unw_init_local(&cur, &ctx);
	while (unw_step(&cur) > 0 && depth < 64) {
		depth++;
		if (unw_get_proc_name(&cur, name, sizeof name, &off) != 0)
			strcpy(name, "?");
		if (strlen(path) + strlen(name) + 4 < sizeof path) {
			strcat(path, " < ");
			strcat(path, name);
		}
		if (!strcmp(name, "main"))
			found = 1;
	}
	fprintf(stderr, "inltest: '%s' backtrace %s main:%s\n", h->fn->symbol,
		found ? "reaches" : "does not reach", path);
}

static void handler(ffi_cif *cif, void *ret, void **args, void *user)
{
	struct hook *h = user;
	struct extra *x = &X[h - H];
	int64_t key = 0;
	unsigned slot = 0;

	__atomic_add_fetch(&x->calls, 1, __ATOMIC_RELAXED);
	if (x->bt)
		check_backtrace(h, x);
	if (x->memo) {
		memcpy(&key, args[0], cif->arg_types[0]->size);
		slot = (unsigned)((uint64_t)key * 0x9e3779b97f4a7c15ULL >> 52) % MEMO_SLOTS;
		pthread_mutex_lock(&lock);
		for (unsigned i = 0; i < MEMO_SLOTS; i++) {
			unsigned s = (slot + i) % MEMO_SLOTS;
			if (!x->table[s].used)
				break;
			if (x->table[s].key == key) {
				memcpy(ret, x->table[s].val, cif->rtype->size);
				pthread_mutex_unlock(&lock);
				return;
			}
		}
		pthread_mutex_unlock(&lock);
	}
	ffi_call(cif, FFI_FN(h->orig), ret, args);
	if (x->memo) {
		pthread_mutex_lock(&lock);
		for (unsigned i = 0; i < MEMO_SLOTS; i++) {
			unsigned s = (slot + i) % MEMO_SLOTS;
			if (!x->table[s].used || x->table[s].key == key) {
				x->table[s].used = 1;
				x->table[s].key = key;
				memcpy(x->table[s].val, ret, cif->rtype->size);
				break;
			}
		}
		pthread_mutex_unlock(&lock);
	}
}

struct search { struct hook *h; char why[512]; };

static int find_in(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct search *s = arg;
	struct hook *h = s->h;
	char why[512];
	size_t fsize;
	void *addr;
	(void)size;

	if (h->target)
		return 1;
	if (strstr(info->dlpi_name, "linux-vdso") || strstr(info->dlpi_name, "libinltest"))
		return 0;
	if (inline_find(info->dlpi_name, info->dlpi_addr, h->fn->symbol, &addr, &fsize,
			why, sizeof why) == 0) {
		h->target = addr;
		h->base = info->dlpi_addr;
		snprintf(h->path, sizeof h->path, "%s", info->dlpi_name);
		return 1;
	}
	if (!*info->dlpi_name)
		snprintf(s->why, sizeof s->why, "%s", why);	/* the executable's answer */
	return 0;
}

/* Find, and build the closure; HOOK_ACTIVE on success. */
static void resolve(struct hook *h, int quiet)
{
	struct extra *x = &X[h - H];
	struct search s = { h, "" };
	void *code;

	dl_iterate_phdr(find_in, &s);
	if (!h->target) {
		if (!quiet)
			log_error("'%s': %s", h->fn->symbol, *s.why ? s.why : "not found in any loaded object");
		return;
	}
	h->closure = ffi_closure_alloc(sizeof(ffi_closure), &code);
	if (ffi_prep_cif(&h->cif, FFI_DEFAULT_ABI, (unsigned)h->fn->proto.nargs, x->ret, h->atypes) != FFI_OK ||
	    ffi_prep_closure_loc(h->closure, &h->cif, handler, h, code) != FFI_OK) {
		log_error("'%s': libffi refused the prototype", h->fn->symbol);
		return;
	}
	h->entry = code;
	h->orig = h->target;
	h->state = HOOK_ACTIVE;
}

static void parse(char *spec)
{
	char *save = NULL;
	for (char *item = strtok_r(spec, ";", &save); item && NH < MAXH; item = strtok_r(NULL, ";", &save)) {
		struct hook *h = &H[NH];
		struct function_config *f = &F[NH];
		struct extra *x = &X[NH];
		char *name = item, *sig = strchr(item, ':'), *flags;
		if (!sig)
			continue;
		*sig++ = 0;
		flags = strchr(sig, ':');
		if (flags)
			*flags++ = 0;
		snprintf(f->symbol, sizeof f->symbol, "%s", name);
		snprintf(f->file, sizeof f->file, "INLTEST");
		f->line = NH + 1;
		f->mechanism = MECH_INLINE;
		snprintf(x->sig, sizeof x->sig, "%s", sig);
		x->ret = ffi_of(sig[0], &f->proto.ret);
		f->proto.ret_kind = sig[0] == 'v' ? RET_VOID : RET_SCALAR;
		for (const char *a = strchr(sig, '(') + 1; *a && *a != ')'; a++) {
			int i = f->proto.nargs++;
			f->proto.args[i].kind = ARG_SCALAR;
			h->atypes[i] = ffi_of(*a, &f->proto.args[i].type);
		}
		x->memo = flags && strchr(flags, 'm');
		x->bt = flags && strchr(flags, 'b');
		if (x->memo)
			x->table = calloc(MEMO_SLOTS, sizeof *x->table);
		h->fn = f;
		NH++;
	}
}

__attribute__((constructor)) static void inltest_init(void)
{
	const char *env = getenv("INLTEST");
	static char spec[4096];

	log_init();
	if (!env)
		return;
	snprintf(spec, sizeof spec, "%s", env);
	parse(spec);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < NH; i++) {
		resolve(&H[i], 1);
		if (H[i].state != HOOK_ACTIVE)
			continue;
		if (inline_prepare(&H[i]) == 0 && inline_install(&H[i]) == 0)
			log_info("'%s': entry-patched", H[i].fn->symbol);
		else
			log_warn("'%s': not entry-patched: %s", H[i].fn->symbol, H[i].why);
	}
	pthread_mutex_unlock(&lock);
	/* Report those still missing: a later dlopen may bring them. */
	for (int i = 0; i < NH; i++)
		if (!H[i].target) {
			struct search s = { &H[i], "" };
			dl_iterate_phdr(find_in, &s);
			if (strstr(s.why, ".symtab"))
				log_error("'%s': %s", H[i].fn->symbol, s.why);
		}
}

__attribute__((destructor)) static void inltest_fini(void)
{
	for (int i = 0; i < NH; i++)
		fprintf(stderr, "inltest: %s calls=%lu\n", H[i].fn->symbol,
			(unsigned long)__atomic_load_n(&X[i].calls, __ATOMIC_RELAXED));
}

/* Objects loaded later: what got's dlopen thunk will do in libmemo. */
void *dlopen(const char *file, int flags)
{
	static void *(*real)(const char *, int);
	void *r;

	if (!real)
		real = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	r = real(file, flags);
	if (r) {
		pthread_mutex_lock(&lock);
		for (int i = 0; i < NH; i++)
			if (H[i].state == HOOK_UNRESOLVED)
				resolve(&H[i], 1);
		inline_after_dlopen(H, NH);
		pthread_mutex_unlock(&lock);
	}
	return r;
}
