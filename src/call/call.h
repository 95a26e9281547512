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
#include <stdint.h>

/* libffi's closure handler; `data` is the struct hook. Whatever fails in it,
 * the caller gets what the original would have given, and errno as the
 * original (or the cached call) left it. */
void call_closure(ffi_cif *cif, void *ret, void **args, void *data);

struct inline_desc;

/* The inline entry's way in, instead of the closure, for a hook whose
 * arguments lie where the entry saved them (d->arg_at) and whose result
 * fits the frame's result slot (entry.h): call_closure's work with the
 * arguments in place, the result left in the slot, and the probe of l1
 * the entry missed with (its mark in the slot, entry.h). The closure's two frames (~450
 * bytes) would stay on the stack for the body's time. */
void call_entry(const struct inline_desc *d, uint8_t *frame);

#endif
