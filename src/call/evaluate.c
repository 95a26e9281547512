/*
 * evaluate: the original's run, timed and counted, and libffi's return slot
 * (evaluate.h).
 */
#include "call/evaluate.h"

#include <errno.h>
#include <ffi.h>
#include <pthread.h>
#include <string.h>

#include "base/guard.h"
#include "base/util.h"

__thread int evaluate_cancel_state = PTHREAD_CANCEL_ENABLE;

void evaluate_original(struct hook *h, void *ret, void **args)
{
	ffi_call(&h->cif, FFI_FN(h->orig), ret, args);
	evaluate_clear_padding(&h->fn->proto.ret, ret);
}

uint64_t evaluate_timed(struct hook *h, void *ret, void **args, int caller_errno,
			int *call_errno)
{
	uint64_t t0, ns;
	int ours;

	/* The body may leave by longjmp, an exception or cancellation: it does
	 * with the guard free and the caller's cancellation state, as it would
	 * without libmemo (what it leaves taken in flight.c is reaped there). */
	guard_restore(0);
	pthread_setcancelstate(evaluate_cancel_state, &ours);
	errno = caller_errno;
	t0 = util_now_ns();
	evaluate_original(h, ret, args);
	ns = util_now_ns() - t0;
	*call_errno = errno;
	pthread_setcancelstate(ours, NULL);
	guard_take();
	STAT_ADD(&h->stats, evaluations, 1);
	STAT_ADD(&h->stats, ns_in_function, ns);
	return ns;
}

/* Integers narrower than ffi_arg are widened to a full ffi_arg with their
 * signedness, as a libffi closure must return them. */
void evaluate_put_return(const struct scalar_type *t, void *ret, const void *src)
{
	if (t->cls == SC_SINT && t->size < sizeof(ffi_arg)) {
		int64_t v = t->size == 1 ? *(const int8_t *)src :
			    t->size == 2 ? *(const int16_t *)src : *(const int32_t *)src;
		*(ffi_sarg *)ret = v;
	} else if ((t->cls == SC_UINT || t->cls == SC_BOOL) && t->size < sizeof(ffi_arg)) {
		uint64_t v = t->size == 1 ? *(const uint8_t *)src :
			     t->size == 2 ? *(const uint16_t *)src : *(const uint32_t *)src;
		*(ffi_arg *)ret = v;
	} else {
		memcpy(ret, src, t->size);
	}
}
