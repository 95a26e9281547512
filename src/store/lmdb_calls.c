/*
 * lmdb_calls: the engine's calls into liblmdb, loaded at the first one
 * (src/base/lazylib.h): src/store/small.c is LMDB's only caller, at a
 * folder store's first use, so a process that never calls a configured
 * function maps neither liblmdb nor the libpthread it needs. Without the
 * library, mdb_env_create fails (ELIBACC) and small.c keeps small entries
 * as files, one each, as on any store it cannot open.
 * Calls lazylib. Once loaded, the stubs are hot-path safe (a load and an
 * indirect call); the first call is mdb_env_create, never in a signal
 * handler.
 */
#include <errno.h>
#include <lmdb.h>

#include "base/lazylib.h"

/* Each function: X(return type, name, parameters, arguments, on failure);
 * V(name, parameters, arguments) for those returning nothing. */
#define LMDB_CALLS(X, V)										\
	X(int, mdb_env_create, (MDB_env **env), (env), ELIBACC)						\
	X(int, mdb_env_open, (MDB_env *env, const char *path, unsigned int flags, mdb_mode_t mode),	\
	  (env, path, flags, mode), ELIBACC)								\
	X(int, mdb_env_set_mapsize, (MDB_env *env, size_t size), (env, size), ELIBACC)			\
	X(int, mdb_env_set_maxreaders, (MDB_env *env, unsigned int readers), (env, readers), ELIBACC)	\
	X(int, mdb_env_set_maxdbs, (MDB_env *env, MDB_dbi dbs), (env, dbs), ELIBACC)			\
	X(int, mdb_env_info, (MDB_env *env, MDB_envinfo *stat), (env, stat), ELIBACC)			\
	X(int, mdb_stat, (MDB_txn *txn, MDB_dbi dbi, MDB_stat *stat), (txn, dbi, stat), ELIBACC)	\
	X(int, mdb_reader_check, (MDB_env *env, int *dead), (env, dead), ELIBACC)			\
	V(mdb_env_close, (MDB_env *env), (env))								\
	X(char *, mdb_strerror, (int err), (err), "liblmdb cannot be loaded")				\
	X(int, mdb_txn_begin, (MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn),	\
	  (env, parent, flags, txn), ELIBACC)								\
	X(int, mdb_txn_commit, (MDB_txn *txn), (txn), ELIBACC)						\
	V(mdb_txn_abort, (MDB_txn *txn), (txn))								\
	V(mdb_txn_reset, (MDB_txn *txn), (txn))								\
	X(int, mdb_txn_renew, (MDB_txn *txn), (txn), ELIBACC)						\
	X(int, mdb_dbi_open, (MDB_txn *txn, const char *name, unsigned int flags, MDB_dbi *dbi),	\
	  (txn, name, flags, dbi), ELIBACC)								\
	X(int, mdb_get, (MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data),			\
	  (txn, dbi, key, data), ELIBACC)								\
	X(int, mdb_put, (MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags),	\
	  (txn, dbi, key, data, flags), ELIBACC)							\
	X(int, mdb_del, (MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data),			\
	  (txn, dbi, key, data), ELIBACC)								\
	X(int, mdb_cursor_open, (MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cursor),			\
	  (txn, dbi, cursor), ELIBACC)									\
	V(mdb_cursor_close, (MDB_cursor *cursor), (cursor))						\
	X(int, mdb_cursor_renew, (MDB_txn *txn, MDB_cursor *cursor), (txn, cursor), ELIBACC)		\
	X(int, mdb_cursor_get, (MDB_cursor *cursor, MDB_val *key, MDB_val *data, MDB_cursor_op op),	\
	  (cursor, key, data, op), ELIBACC)								\
	X(int, mdb_cursor_del, (MDB_cursor *cursor, unsigned int flags), (cursor, flags), ELIBACC)

#define STUB(ret, name, params, args, fail) LAZYLIB_STUB(lmdb, I_##name, ret, name, params, args, fail)
#define STUB_VOID(name, params, args) LAZYLIB_STUB_VOID(lmdb, I_##name, name, params, args)

enum { LMDB_CALLS(LAZYLIB_INDEX, LAZYLIB_INDEX_VOID) NCALLS };
static const char *const names[NCALLS] = { LMDB_CALLS(LAZYLIB_NAME, LAZYLIB_NAME_VOID) };
static void *fns[NCALLS];
static struct lazylib lmdb = {
	"liblmdb.so.0", "small entries are kept as files, one each", names, fns, NCALLS, 0,
};

LMDB_CALLS(STUB, STUB_VOID)
