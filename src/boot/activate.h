/*
 * activate: a configured function made memoized (activate.c): found, given
 * its closure, its entry patched or its GOT slots left to got.c, then
 * published. Calls find (symbols), call (closure), patch (inline, crash),
 * log. Start-up, or under runtime_lock after a dlopen; never on the hot path.
 */
#ifndef MEMO_ACTIVATE_H
#define MEMO_ACTIVATE_H

#include "find/hook.h"

/* Make an unresolved hook memoized: sym_resolve, closure_prepare,
 * entry-patch where the mechanism allows (the closure in the stub page),
 * else closure_page, then state = HOOK_ACTIVE (published last, with
 * release). 0, or -1 with h->why set: a refused symbol or a failed step
 * leaves HOOK_FAILED; a symbol not (yet) loaded leaves HOOK_UNRESOLVED (a
 * later dlopen may bring it). The caller logs (activate_log_failure).
 * Under runtime_lock, or before any thread exists. */
int activate_hook(struct hook *h);

/* inline_batch_end's word on a hook of start-up's batch whose entry patch
 * could not be made after all: activate_hook's choice for a refused patch
 * (GOT slots only, or HOOK_FAILED under `mechanism = inline`), made then. */
void activate_unpatched(struct hook *h);

/* Say on stderr why h is not memoized (failed, or not found). */
void activate_log_failure(const struct hook *h);

/* Tell `memo run` (find/run_report.h) whether this process found h, and
 * if not, why; nothing outside a memo run. */
void activate_report(const struct hook *h);

/* After a dlopen (got.c calls it through got_set_activate): activate an
 * unresolved hook and say why if it failed for good. */
void activate_after_dlopen(struct hook *h);

/* After objects were unloaded (got.c calls it through got_set_activate, after
 * a dlclose and before the pass of the next dlopen): an active hook whose
 * code is no longer the load it was activated in (unloaded, or unloaded and
 * loaded again) is retired: HOOK_UNRESOLVED, its identity, prefix, l1
 * results and entry patch forgotten, so the next pass activates it anew.
 * Under runtime_lock. */
void activate_recheck(struct hook *h);

/* Every configured function defined in several loaded objects is caught in
 * each copy: a hook for each copy sym_copies finds that no hook stands for
 * yet, activated (a failure said). At start-up after every configured
 * function's activation, and after each dlopen (got.c, through
 * got_set_activate). Under runtime_lock, or before any thread exists. */
void activate_copies(void);

#endif
