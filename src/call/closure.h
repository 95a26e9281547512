/*
 * closure: how a hook is called through libffi, and where hooked calls
 * enter (its closure). Start-up and dlopen only; never on the hot path.
 *
 *	closure_prepare(h);			the cif, from the prototype
 *	inline_prepare(h, closure_write);	the closure in the stub page, or
 *	closure_page(h);			alone in a page (GOT slots only)
 */
#ifndef MEMO_CLOSURE_H
#define MEMO_CLOSURE_H

#include "find/hook.h"

/* Prepare a resolved hook's call description (its libffi cif, argument
 * types, h->entry_hit); its closure comes after. 0, or -1 with h->why set. */
int closure_prepare(struct hook *h);

/* Write h's libffi closure (sizeof(ffi_closure) bytes) at `at`, in memory
 * still writable that will run at `at` once made read+exec: no page is ever
 * writable and executable. inline_prepare puts it in the hook's stub page.
 * 0, or -1 with h->why set. */
int closure_write(struct hook *h, void *at);

/* For a hook that is not entry-patched, its closure alone in a page made
 * read+exec once written; sets h->entry. 0, or -1 with h->why set. */
int closure_page(struct hook *h);

#endif
