/*
 * symbols: where a configured function is defined in the loaded objects,
 * and libmemo's deny list (symbols.c).
 * Calls elf, elf_peek, libdl. Start-up and dlopen only, under runtime_lock
 * (call/runtime.h) or before any thread exists; never on the hot path.
 */
#ifndef MEMO_SYMBOLS_H
#define MEMO_SYMBOLS_H

#include "find/hook.h"

/* Find `h->fn->symbol` (at its version, in `object` if set, in the object
 * at h->path if set) in the loaded objects' .symtab (static functions too)
 * or .dynsym, the main program first, then in link-map order; an IFUNC gives the implementation its
 * resolver chooses. Sets h->target, h->path, h->base, h->dynsym_only.
 * 0, or -1 with h->why set: a symbol refused for good (deny list, not a
 * function) is logged here and left HOOK_FAILED, a missing one stays
 * HOOK_UNRESOLVED. */
int sym_resolve(struct hook *h);

/* The other copies of h's function (h found, at h->path): every other
 * loaded object that exports a definition of that name (matching `object =`
 * when set), in link-map order; each(ctx, its path) for each. None when h's
 * definition is a static function. A hook whose h->path is set before
 * sym_resolve is found in that object only: the copy it stands for. */
void sym_copies(const struct hook *h, void (*each)(void *ctx, const char *path), void *ctx);

/* `path` kept for the process's life, one copy of each (a hook's h->path,
 * which crash.c and the call path may read at any time); "" when out of
 * memory. */
const char *sym_keep_path(const char *path);

#endif
