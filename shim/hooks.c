/*
 * hooks: the one path by which a configured function becomes memoized:
 * resolve (symbols), identify (identity), prepare its call (call), publish.
 * Called by start-up and by got_install_all for hooks a dlopen may complete.
 * Start-up and dlopen only, under hooks_lock; never on the hot path.
 */
#include "hook.h"

int hook_activate(struct hook *h)
{
	if (sym_resolve(h) < 0)
		return -1;	/* a refusal set HOOK_FAILED; a missing symbol stays unresolved */
	if (identity_compute(h) < 0 || call_prepare(h) < 0) {
		h->state = HOOK_FAILED;
		return -1;
	}
	/* the hot path reads `state` without a lock: publish everything above first */
	__atomic_store_n(&h->state, HOOK_ACTIVE, __ATOMIC_RELEASE);
	return 0;
}
