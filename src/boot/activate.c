/*
 * activate: makes a found function memoized: resolve its symbol, prepare its
 * libffi closure, patch its entry where its mechanism allows (else route its
 * GOT slots to the closure), then publish it HOOK_ACTIVE. Runs at start-up
 * (engine.c) and, through the callback engine.c gives got.c, after a dlopen
 * that may have brought a configured symbol.
 * Calls find (symbols, signature), call (closure, runtime), patch (inline, crash), log. Single-threaded
 * before main, else under runtime_lock.
 */
#include "boot/activate.h"

#include <unistd.h>

#include "base/log.h"
#include "call/closure.h"
#include "call/runtime.h"
#include "find/signature.h"
#include "find/symbols.h"
#include "patch/crash.h"
#include "patch/inline.h"

int activate_hook(struct hook *h)
{
	if (h->state != HOOK_UNRESOLVED)
		return h->state == HOOK_ACTIVE ? 0 : -1;
	if (sym_resolve(h) < 0)
		return -1;
	if (signature_check_hook(h, &memo_cfg.cache) < 0 || closure_prepare(h) < 0)
		goto failed;
	if (h->fn->mechanism != MECH_GOT &&
	    (inline_prepare(h, closure_write) < 0 || inline_install(h) < 0)) {
		if (h->fn->mechanism == MECH_INLINE)
			goto failed;
		log_warn("'%s': not entry-patched [%s] (%s); only calls through GOT slots are "
			 "memoized", h->fn->symbol, hook_refusal_name(h->refusal), h->why);
	} else if (h->fn->mechanism != MECH_GOT) {
		crash_install();	/* entry-patched: faults in its trampoline are named */
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
	/* a prototype the debug info contradicts is an error of the config */
	if (h->state == HOOK_FAILED && h->refusal == REFUSE_PROTO_MISMATCH && env_flag("MEMO_STRICT")) {
		log_error("a prototype contradicts the debug info; exiting (MEMO_STRICT)");
		_exit(2);
	}
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
