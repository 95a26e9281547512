/*
 * call: the handler of every hook's libffi closure (call.c): the hot path.
 * Owns the order of one call (l1, key, store, policies, evaluation) and the
 * one place where the guard and errno are restored. Calls every other file
 * of the call layer, key, value, store. Any thread, no global lock, no
 * allocation for small calls; after fork it works as before.
 */
#ifndef MEMO_CALL_H
#define MEMO_CALL_H

#include <ffi.h>

/* libffi's closure handler; `data` is the struct hook. Whatever fails in it,
 * the caller gets what the original would have given, and errno as the
 * original (or the cached call) left it. */
void call_handler(ffi_cif *cif, void *ret, void **args, void *data);

#endif
