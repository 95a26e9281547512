/*
 * call: the handler of every hook's libffi closure (call.c): the hot path.
 */
#ifndef MEMO_CALL_H
#define MEMO_CALL_H

#include <ffi.h>

/* libffi's closure handler; `data` is the struct hook. Whatever fails in it,
 * the caller gets what the original would have given, and errno as the
 * original (or the cached call) left it. */
void call_handler(ffi_cif *cif, void *ret, void **args, void *data);

#endif
