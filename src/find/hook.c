/*
 * hook: a refused function's code and text (hook.h: enum hook_refusal,
 * hook_refuse, hook_refusal_name, hook_log_refusal). Calls libc (vsnprintf)
 * and log. Writes a
 * hook where its other fields are written (start-up, or under runtime_lock);
 * never on the hot path. hook_refusal_name is safe anywhere.
 */
#include "find/hook.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/log.h"

/* Indexed by code. Stable: tests and scripts match these, not the text. */
static const char *const refusal_names[] = {
	[REFUSE_NONE] = "none",
	[REFUSE_NOT_FOUND] = "not-found",
	[REFUSE_STRIPPED] = "stripped",
	[REFUSE_CLONED] = "cloned",
	[REFUSE_DENIED] = "denied",
	[REFUSE_NOT_FUNCTION] = "not-function",
	[REFUSE_AMBIGUOUS] = "ambiguous",
	[REFUSE_FFI_TYPE] = "ffi-type",
	[REFUSE_FFI_CLOSURE] = "ffi-closure",
	[REFUSE_NOT_NUMERIC] = "not-numeric",
	[REFUSE_CXX_OBJECT] = "cxx-object",
	[REFUSE_NO_TLS_KEY] = "no-tls-key",
	[REFUSE_PROTO_MISMATCH] = "prototype-mismatch",
	[REFUSE_NO_IDENTITY] = "no-identity",
	[REFUSE_NO_GLOBAL] = "no-global",
	[REFUSE_THREAD_LOCAL] = "thread-local",
	[REFUSE_TOO_MANY_GLOBALS] = "too-many-globals",
	[REFUSE_NO_SIZE] = "no-size",
	[REFUSE_TOO_SHORT] = "too-short",
	[REFUSE_UNDECODABLE] = "undecodable",
	[REFUSE_BACK_JUMP] = "back-jump",
	[REFUSE_VARIADIC] = "variadic",
	[REFUSE_UNRELOCATABLE] = "unrelocatable",
	[REFUSE_OUT_OF_REACH] = "out-of-reach",
	[REFUSE_NOT_ATOMIC] = "not-atomic",
	[REFUSE_ALREADY_PATCHED] = "already-patched",
	[REFUSE_NOT_PREPARED] = "not-prepared",
	[REFUSE_UNREADABLE] = "unreadable",
	[REFUSE_NO_MEMORY] = "no-memory",
	[REFUSE_MPROTECT] = "mprotect",
};
_Static_assert(sizeof refusal_names / sizeof refusal_names[0] == REFUSE_COUNT,
	       "every refusal code has a name");

const char *hook_refusal_name(enum hook_refusal code)
{
	unsigned i = (unsigned)code;

	return i < REFUSE_COUNT && refusal_names[i] ? refusal_names[i] : "?";
}

int hook_refuse(struct hook *h, enum hook_refusal code, const char *fmt, ...)
{
	va_list ap;

	h->refusal = code;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof h->why, fmt, ap);
	va_end(ap);
	return -1;
}

void hook_log_refusal(const struct hook *h)
{
	log_warn("'%s' (%s:%d) cannot be memoized [%s]: %s", h->fn->symbol, h->fn->file,
		 h->fn->line, hook_refusal_name(h->refusal), h->why);
}
