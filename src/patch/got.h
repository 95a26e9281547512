/*
 * got: routes calls that cross objects through their GOT slots (PLT calls,
 * -fno-plt calls, lazy or full RELRO) to a hook's entry.
 * Owns the walk over loaded objects' dynamic sections and the RELRO-aware
 * write of a slot (mprotect only when the page is read-only, restored at once).
 * Also owns libmemo's view of dlopen: every object's GOT slot for dlopen and
 * dlmopen leads to a thunk that calls the real one as if from the caller (so
 * RUNPATH, $ORIGIN and namespaces are the caller's) and then patches the
 * newly loaded objects; and every dlclose slot leads to a wrapper that,
 * once objects were unloaded, has start-up retire the hooks whose code went
 * with them (they are activated anew when loaded again).
 * Start-up and dlopen only, under runtime_lock; never on the hot path.
 */
#ifndef MEMO_GOT_H
#define MEMO_GOT_H

#include "find/hook.h"

/* Patch, in every loaded object but libmemo, the GOT slots of every
 * HOOK_ACTIVE hook whose mechanism is got (or auto and not entry-patched),
 * and the dlopen slots. Resolves HOOK_UNRESOLVED hooks first when their
 * symbol has appeared. Idempotent: safe to call again after each dlopen. */
void got_install_all(void);

/* What start-up gives got.c to activate a hook whose symbol a dlopen may
 * have brought, and to retire an active one whose object may have been
 * unloaded (got.c cannot call up into start-up). Set once, after
 * start-up's got_install_all: start-up has just activated every hook it
 * could and listed the copies, so that pass has nothing more to do. */
typedef void got_activate_fn(struct hook *h);
/* `copies` runs after the pending hooks are activated: it makes hooks for
 * the copies of a function that the objects loaded since brought. */
void got_set_activate(got_activate_fn *activate, got_activate_fn *recheck, void (*copies)(void));

#endif
