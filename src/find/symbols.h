/*
 * symbols: where a configured function is defined in the loaded objects,
 * and libmemo's deny list (symbols.c).
 * Calls elf, elf_peek, libdl. Start-up and dlopen only, under runtime_lock
 * (call/runtime.h) or before any thread exists; never on the hot path.
 */
#ifndef MEMO_SYMBOLS_H
#define MEMO_SYMBOLS_H

#include "find/hook.h"

/* Find `h->fn->symbol` (at its version, in `object` if set) in the loaded
 * objects' .symtab (static functions too) or .dynsym, the main program
 * first, then in link-map order; an IFUNC gives the implementation its
 * resolver chooses. Sets h->target, h->path, h->base, h->dynsym_only.
 * 0, or -1 with h->why set: a symbol refused for good (deny list, not a
 * function) is logged here and left HOOK_FAILED, a missing one stays
 * HOOK_UNRESOLVED. */
int sym_resolve(struct hook *h);

#endif
