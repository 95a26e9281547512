/*
 * got_unit: drives got.c, symbols.c and the dlopen thunk directly, with hooks
 * whose entry is a counting function of the hooked signature, before the call
 * path is involved. Links libmemo-core.a (every module but boot/'s): this program
 * plays libmemo (got never patches it), the libraries it loads from DIR are
 * the host. Modes (one per test file):
 *   got_unit DIR variants   lazy PLT, full RELRO, -fno-plt, later dlopen
 *   got_unit DIR versions   vers_fn@V1 and vers_fn@@V2 slots stay apart
 *   got_unit DIR deny       refusals and their reasons
 *   got_unit DIR threads    4 threads dlopen while 2 call hooked functions
 * Prints one line per check; exit 0 when all passed.
 */
#include "call/runtime.h"
#include "find/hook.h"
#include "find/symbols.h"
#include "patch/got.h"
#include "base/log.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The engine's start-up (boot/) is not in libmemo-core.a: this driver fills
 * the hook table (call/runtime.h) itself and makes every hook in it active by
 * hand, and registers no activation (got_set_activate), so got_install_all
 * never activates one.
 */

static int failures;

#define CHECK(cond, ...) do {						\
	if (cond) { printf("ok   "); } else { printf("FAIL "); failures++; }	\
	printf(__VA_ARGS__); printf("\n"); fflush(stdout);		\
} while (0)

static struct function_config fns[4];
static struct hook hk[4];
static int counts[4];

static int count_add(int a, int b)
{
	__atomic_add_fetch(&counts[0], 1, __ATOMIC_RELAXED);
	return ((int (*)(int, int))hk[0].target)(a, b);
}

static int count_vers(void)
{
	__atomic_add_fetch(&counts[1], 1, __ATOMIC_RELAXED);
	return ((int (*)(void))hk[1].target)();
}

static int count_vers1(void)
{
	__atomic_add_fetch(&counts[2], 1, __ATOMIC_RELAXED);
	return ((int (*)(void))hk[2].target)();
}

static int count_of(int i)
{
	return __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
}

/* A hook made active by hand: sym_resolve is real, the entry counts. */
static void hook_make(int i, const char *sym, const char *version, void *entry)
{
	fns[i].symbol = sym;
	fns[i].version = version;
	fns[i].object = fns[i].globals = "";
	fns[i].mechanism = MECH_AUTO;
	hk[i].fn = &fns[i];
	if (sym_resolve(&hk[i])) {
		printf("FAIL cannot resolve '%s': %s\n", sym, hk[i].why);
		exit(1);
	}
	hk[i].entry = entry;
	hk[i].state = HOOK_ACTIVE;
}

static void *load(const char *dir, const char *name)
{
	char path[4096];
	void *h;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	h = dlopen(path, RTLD_LAZY);	/* lazy: PLT slots keep their stubs */
	if (!h) {
		printf("FAIL dlopen '%s': %s\n", path, dlerror());
		exit(1);
	}
	return h;
}

static void *sym(void *handle, const char *name)
{
	void *p = dlsym(handle, name);
	if (!p) {
		printf("FAIL dlsym '%s': %s\n", name, dlerror());
		exit(1);
	}
	return p;
}

static void install(void)
{
	int was = runtime_lock();

	got_install_all();
	runtime_unlock(was);
}

typedef int (*add_fn)(int, int);
typedef void *(*dlopen_fn)(const char *, int);
typedef void *(*dlmopen_fn)(long, const char *, int);

static int mode_variants(const char *dir)
{
	static const char *const libs[] = {
		"libgotcall-lazy.so", "libgotcall-relro.so", "libgotcall-noplt.so",
	};
	add_fn add[3];
	dlopen_fn cdl;
	dlmopen_fn cdlm;
	void *plug;
	const char *err;
	int i, before;

	for (i = 0; i < 3; i++)
		add[i] = (add_fn)sym(load(dir, libs[i]), "call_add");
	cdl = (dlopen_fn)sym(load(dir, libs[0]), "call_dlopen");
	hook_make(0, "got_add", "", count_add);
	nhooks = 1;
	/* nothing has called got_add yet: the lazy library's slot holds its PLT stub */
	install();
	CHECK(hk[0].got_slots == 3, "got_add: 3 slots patched (got %d)", hk[0].got_slots);
	for (i = 0; i < 3; i++) {
		before = count_of(0);
		CHECK(add[i](2, 3) == 5 && count_of(0) == before + 1,
		      "%s: call reaches the hook and returns the original's result", libs[i]);
	}
	install();
	CHECK(hk[0].got_slots == 3, "second pass: idempotent (%d slots)", hk[0].got_slots);
	before = count_of(0);
	CHECK(add[0](1, 1) == 2 && count_of(0) == before + 1, "after a second pass: one hook call per call");

	/* by bare name through libgotcall-lazy.so's RUNPATH $ORIGIN/plugins */
	plug = cdl("libgotplug.so", RTLD_LAZY);
	err = dlerror();
	CHECK(plug != NULL, "dlopen through the thunk finds the plugin by the caller's RUNPATH");
	CHECK(err == NULL, "dlerror() after a successful dlopen is NULL (%s)", err ? err : "");
	if (!plug)
		return 1;
	before = count_of(0);
	CHECK(((add_fn)sym(plug, "plug_add"))(4, 5) == 9 && count_of(0) == before + 1,
	      "plugin dlopen'ed later: its GOT call reaches the hook");
	CHECK(hk[0].got_slots == 4, "got_add: 4 slots after the dlopen (%d)", hk[0].got_slots);
	CHECK(cdl("libgot-no-such.so", RTLD_NOW) == NULL && dlerror() != NULL,
	      "a failing dlopen through the thunk keeps its error");

	/* dlmopen: the base namespace is patched, another namespace's copy is not */
	cdlm = (dlmopen_fn)sym(load(dir, libs[0]), "call_dlmopen");
	plug = cdlm(LM_ID_BASE, "libgotplug1.so", RTLD_LAZY);
	CHECK(plug != NULL, "dlmopen(LM_ID_BASE) through the thunk finds the plugin by RUNPATH");
	if (!plug)
		return 1;
	before = count_of(0);
	CHECK(((add_fn)sym(plug, "plug_add"))(1, 2) == 3 && count_of(0) == before + 1,
	      "plugin dlmopen'ed into the base namespace: its call reaches the hook");
	plug = cdlm(LM_ID_NEWLM, "libgotplug2.so", RTLD_LAZY);
	CHECK(plug != NULL, "dlmopen(LM_ID_NEWLM) through the thunk finds the plugin by RUNPATH");
	if (!plug)
		return 1;
	before = count_of(0);
	CHECK(((add_fn)sym(plug, "plug_add"))(1, 2) == 3 && count_of(0) == before,
	      "a new namespace keeps its own got_add (not patched)");
	return failures != 0;
}

static int mode_versions(const char *dir)
{
	void *lib = load(dir, "libgotcall-relro.so");
	int (*vers)(void) = (int (*)(void))sym(lib, "call_vers");
	int (*vers1)(void) = (int (*)(void))sym(lib, "call_vers1");

	hook_make(1, "vers_fn", "", count_vers);
	hook_make(2, "vers_fn", "V1", count_vers1);
	CHECK(hk[1].target != hk[2].target, "vers_fn and vers_fn@V1 resolve apart");
	hooks = hk + 1;
	nhooks = 1;
	install();
	CHECK(hk[1].got_slots == 1, "vers_fn (default V2): one slot (%d)", hk[1].got_slots);
	CHECK(vers() == 2 && count_of(1) == 1, "vers_fn@@V2 call reaches its hook");
	CHECK(vers1() == 1 && count_of(1) == 1 && count_of(2) == 0,
	      "vers_fn@V1 call is left alone while only vers_fn is hooked");
	nhooks = 2;
	install();
	CHECK(hk[2].got_slots == 1, "vers_fn@V1: one slot (%d)", hk[2].got_slots);
	CHECK(vers1() == 1 && count_of(2) == 1 && count_of(1) == 1, "vers_fn@V1 call reaches its own hook");
	CHECK(vers() == 2 && count_of(1) == 2 && count_of(2) == 1, "vers_fn@@V2 still reaches its own");
	return failures != 0;
}

/* The refusal's code is checked, not its wording (printed for the log). */
static void expect_refused(const char *name, const char *version, const char *object,
			   enum hook_refusal code, int state)
{
	struct function_config fn = { 0 };
	struct hook h = { 0 };

	fn.symbol = name;
	fn.version = version;
	fn.object = object;
	fn.globals = "";
	h.fn = &fn;
	CHECK(sym_resolve(&h) == -1 && h.refusal == code && h.state == state,
	      "'%s': refused [%s] (got [%s] \"%s\", state %d)", name, hook_refusal_name(code),
	      hook_refusal_name(h.refusal), h.why, h.state);
}

static int mode_deny(const char *dir)
{
	struct function_config fn = { .symbol = "got_add", .version = "", .object = "libgotlib",
				      .globals = "" };
	struct hook h = { .fn = &fn };
	const char *base;

	load(dir, "libgotcall-relro.so");
	expect_refused("malloc", "", "", REFUSE_DENIED, HOOK_FAILED);
	expect_refused("memcpy", "", "", REFUSE_DENIED, HOOK_FAILED);
	expect_refused("pthread_mutex_lock", "", "", REFUSE_DENIED, HOOK_FAILED);
	expect_refused("dlopen", "", "", REFUSE_DENIED, HOOK_FAILED);
	expect_refused("ffi_call", "", "", REFUSE_DENIED, HOOK_FAILED);
	expect_refused("blake2b_update", "", "", REFUSE_DENIED, HOOK_FAILED);
	expect_refused("memcached_get", "", "", REFUSE_DENIED, HOOK_FAILED);
	expect_refused("no_such_function", "", "", REFUSE_NOT_FOUND, HOOK_UNRESOLVED);
	expect_refused("vers_fn", "V9", "", REFUSE_NOT_FOUND, HOOK_UNRESOLVED);
	expect_refused("got_add", "", "libgotcall-relro", REFUSE_NOT_FOUND, HOOK_UNRESOLVED);
	CHECK(dlerror() == NULL, "failed lookups leave no dlerror()");
	CHECK(sym_resolve(&h) == 0 && h.target == dlsym(load(dir, "libgotlib.so"), "got_add"),
	      "got_add in object 'libgotlib': found");
	base = strrchr(h.path, '/');
	CHECK(base && !strcmp(base, "/libgotlib.so") && h.path[0] == '/' && h.base != 0,
	      "path '%s' and load bias filled", h.path);
	return failures != 0;
}

/* threads: loaders dlopen/dlclose their own plugin copy through the thunk
 * while callers call through a patched slot; every call must be counted. */
enum { LOADERS = 4, CALLERS = 2, ROUNDS = 40, CALLS = 20000 };
static dlopen_fn thread_dlopen;
static add_fn thread_add;
static int thread_bad;

static void *loader(void *arg)
{
	char name[64];
	int i, id = (int)(long)arg;

	snprintf(name, sizeof name, "libgotplug%d.so", id);
	for (i = 0; i < ROUNDS; i++) {
		void *h = thread_dlopen(name, RTLD_NOW);
		int before;
		add_fn plug;
		if (!h) {
			__atomic_add_fetch(&thread_bad, 1, __ATOMIC_RELAXED);
			continue;
		}
		plug = (add_fn)dlsym(h, "plug_add");
		before = count_of(0);
		if (!plug || plug(id, i) != id + i || count_of(0) <= before)
			__atomic_add_fetch(&thread_bad, 1, __ATOMIC_RELAXED);
		dlclose(h);
	}
	return NULL;
}

static void *caller(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < CALLS; i++)
		if (thread_add(i, 1) != i + 1)
			__atomic_add_fetch(&thread_bad, 1, __ATOMIC_RELAXED);
	return NULL;
}

static int mode_threads(const char *dir)
{
	pthread_t t[LOADERS + CALLERS];
	void *lib = load(dir, "libgotcall-relro.so");
	int i;

	thread_dlopen = (dlopen_fn)sym(lib, "call_dlopen");
	thread_add = (add_fn)sym(lib, "call_add");
	hook_make(0, "got_add", "", count_add);
	nhooks = 1;
	install();
	for (i = 0; i < LOADERS; i++)
		pthread_create(&t[i], NULL, loader, (void *)(long)(i + 1));
	for (i = 0; i < CALLERS; i++)
		pthread_create(&t[LOADERS + i], NULL, caller, NULL);
	for (i = 0; i < LOADERS + CALLERS; i++)
		pthread_join(t[i], NULL);
	CHECK(thread_bad == 0, "no wrong result, failed dlopen or uncounted call (%d bad)", thread_bad);
	CHECK(count_of(0) == LOADERS * ROUNDS + CALLERS * CALLS, "every call counted once (%d, want %d)",
	      count_of(0), LOADERS * ROUNDS + CALLERS * CALLS);
	return failures != 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: got_unit DIR variants|versions|deny|threads\n");
		return 2;
	}
	log_init();
	hooks = hk;
	if (!strcmp(argv[2], "variants"))
		return mode_variants(argv[1]);
	if (!strcmp(argv[2], "versions"))
		return mode_versions(argv[1]);
	if (!strcmp(argv[2], "deny"))
		return mode_deny(argv[1]);
	if (!strcmp(argv[2], "threads"))
		return mode_threads(argv[1]);
	fprintf(stderr, "got_unit: unknown mode '%s'\n", argv[2]);
	return 2;
}
