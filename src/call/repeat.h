/*
 * repeat: repeated evaluations of stochastic functions
 * (allow_repeated_evaluations = yes); repeat.c says the rule. Calls
 * evaluate, store (gets/cas), value, stats. Hot path, any thread: no
 * allocation, no lock.
 */
#ifndef MEMO_REPEAT_H
#define MEMO_REPEAT_H

#include "find/hook.h"
#include "store/key.h"

/* Serve a call of a hook with allow_repeated_evaluations: the settled mean,
 * or one more evaluation folded into it. Entered with the guard taken and
 * the call counted; returns the errno the caller must see. */
int repeat_call(struct hook *h, const struct memo_key *k, void *ret, void **args,
		int caller_errno);

#endif
