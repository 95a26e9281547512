/*
 * activate: makes a found function memoized: resolve its symbol, prepare its
 * libffi closure, patch its entry where its mechanism allows (else route its
 * GOT slots to the closure), then publish it HOOK_ACTIVE. Runs at start-up
 * (engine.c) and, through the callback engine.c gives got.c, after a dlopen
 * that may have brought a configured symbol.
 * Calls find (symbols), call (closure), patch (inline), log. Single-threaded
 * before main, else under runtime_lock.
 */
#include "boot/activate.h"

#include "base/log.h"
#include "call/closure.h"
#include "find/symbols.h"
#include "patch/inline.h"

int activate_hook(struct hook *h)
{
	if (h->state != HOOK_UNRESOLVED)
		return h->state == HOOK_ACTIVE ? 0 : -1;
	if (sym_resolve(h) < 0)
		return -1;
	if (closure_prepare(h) < 0)
		goto failed;
	if (h->fn->mechanism != MECH_GOT &&
	    (inline_prepare(h, closure_write) < 0 || inline_install(h) < 0)) {
		if (h->fn->mechanism == MECH_INLINE)
			goto failed;
		log_warn("'%s': not entry-patched [%s] (%s); only calls through GOT slots are "
			 "memoized", h->fn->symbol, hook_refusal_name(h->refusal), h->why);
	}
	/* not entry-patched: its GOT slots still need a closure */
	if (!h->entry && closure_page(h) < 0)
		goto failed;
	__atomic_store_n(&h->state, HOOK_ACTIVE, __ATOMIC_RELEASE);
	log_info("'%s' memoized (%s)", h->fn->symbol, h->path);
	return 0;
failed:
	h->state = HOOK_FAILED;
	return -1;
}

void activate_log_failure(const struct hook *h)
{
	if (h->state == HOOK_FAILED)
		hook_log_refusal(h);
	else if (h->state == HOOK_UNRESOLVED)
		log_warn("'%s' (%s:%d) [%s]: %s; its calls are not memoized unless a later dlopen "
			 "loads it", h->fn->symbol, h->fn->file, h->fn->line,
			 hook_refusal_name(h->refusal), h->why);
}

/* got.c's callback after a dlopen: a symbol still missing stays quiet. */
void activate_after_dlopen(struct hook *h)
{
	if (activate_hook(h) < 0 && h->state == HOOK_FAILED)
		activate_log_failure(h);
}
