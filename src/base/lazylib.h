/*
 * lazylib: a shared library the engine loads at its first call into it, so
 * that a process that never needs it neither maps nor relocates it (with 10
 * libc functions found, libelf, libz, liblmdb and libpthread were 4 of the
 * 5 objects the engine brought). Its users: src/find/libelf_calls.c,
 * src/store/lmdb_calls.c, which define the library's functions as stubs
 * over the table this fills.
 * Calls libc's dl* and log. Any thread (the first caller loads, the others
 * wait for it); after fork. Not from a signal handler before the library is
 * loaded (dlopen allocates): its users' first calls are at start-up, at a
 * hook's first call or at a store's opening, which never run there.
 */
#ifndef MEMO_LAZYLIB_H
#define MEMO_LAZYLIB_H

#include <stdbool.h>
#include <stddef.h>

struct lazylib {
	const char *soname;		/* dlopened by this name: "libelf.so.1" */
	const char *without;		/* what libmemo goes without when it fails */
	const char *const *names;	/* the functions libmemo calls */
	void **fns;			/* their addresses, filled at once */
	size_t n;
	int state;			/* atomic: 0 untried, 1 loaded, -1 failed */
};

/* Loads lib and every one of its names into lib->fns, at the first call;
 * true when they are all there. A library or a name that cannot be had is
 * said once on stderr (with lib->without), and false is returned from then
 * on: callers fail as the library itself fails (an error code, NULL).
 *   if (!lazylib_ready(&libelf))
 *           return NULL;
 */
bool lazylib_ready(struct lazylib *lib);

/* lazylib_ready, its loaded case inline: the stubs are on hit paths (a
 * small folder hit makes four LMDB calls; asking by a call cost ~70
 * instructions of its ~9,800). */
static inline bool lazylib_loaded(struct lazylib *lib)
{
	return __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE) > 0 || lazylib_ready(lib);
}

/*
 * A stub for one function of lib, named and typed as the library's header
 * declares it (the compiler checks the two agree). FAIL is what it returns
 * when the library cannot be loaded; LAZYLIB_STUB_VOID for a function that
 * returns nothing. I is the name's index in lib's names.
 *   LAZYLIB_STUB(lmdb, 0, int, mdb_env_create, (MDB_env **env), (env), ENOENT)
 */
#define LAZYLIB_STUB(lib, i, ret, name, params, args, fail)			\
	ret name params								\
	{									\
		if (!lazylib_loaded(&(lib)))					\
			return fail;						\
		return ((__typeof__(&name))(lib).fns[i]) args;			\
	}
#define LAZYLIB_STUB_VOID(lib, i, name, params, args)				\
	void name params							\
	{									\
		if (lazylib_loaded(&(lib)))					\
			((__typeof__(&name))(lib).fns[i]) args;			\
	}

/* For a user's X-macro list of its functions: each entry's index in the
 * list (I_name) and its name, for the enum and the names array. */
#define LAZYLIB_INDEX(ret, name, params, args, fail) I_##name,
#define LAZYLIB_INDEX_VOID(name, params, args) I_##name,
#define LAZYLIB_NAME(ret, name, params, args, fail) #name,
#define LAZYLIB_NAME_VOID(name, params, args) #name,

#endif
