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

/*
 * A call whose arguments all travel in registers, as integers of up to 8
 * bytes or as float/double, and whose result is one of those or nothing, is
 * made by a plain C call instead of ffi_call: its three frames (ffi_call,
 * ffi_call_int, ffi_call_unix64: ~400 bytes) would stay on the stack for
 * the body's time, a level of memoized recursion. The type below loads all
 * six integer and eight vector argument registers (a function ignores those
 * it does not take), sets %al as ffi_call does (it is variadic), and returns
 * both %rax and %xmm0 (a struct of an integer and a double).
 */
struct reg_result {
	uint64_t rax;
	double xmm0;
};
typedef struct reg_result (*reg_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
				    uint64_t, ...);

/* An integer-class argument or result as a full register, widened as its
 * type says; -1 for a type this path does not pass. */
static inline __attribute__((always_inline)) int reg_int(const ffi_type *t, const void *p, uint64_t *v)
{
	switch (t->type) {
	case FFI_TYPE_UINT8:	*v = *(const uint8_t *)p; return 0;
	case FFI_TYPE_SINT8:	*v = (uint64_t)*(const int8_t *)p; return 0;
	case FFI_TYPE_UINT16:	*v = *(const uint16_t *)p; return 0;
	case FFI_TYPE_SINT16:	*v = (uint64_t)*(const int16_t *)p; return 0;
	case FFI_TYPE_UINT32:	*v = *(const uint32_t *)p; return 0;
	case FFI_TYPE_SINT32:	*v = (uint64_t)*(const int32_t *)p; return 0;
	case FFI_TYPE_UINT64:
	case FFI_TYPE_SINT64:
	case FFI_TYPE_POINTER:	memcpy(v, p, 8); return 0;
	}
	return -1;
}

/* The call by registers; -1 (nothing called) when the prototype does not
 * fit it, and ffi_call must make it. */
static int call_by_registers(const ffi_cif *cif, void *fn, void *ret, void **args)
{
	uint64_t g[6] = { 0 };
	union { uint64_t u; double d; } x[8] = { 0 };	/* the bits as they are, a float's low */
	int ng = 0, nx = 0;
	struct reg_result r;
	unsigned i;

	for (i = 0; i < cif->nargs; i++) {
		const ffi_type *t = cif->arg_types[i];
		if (t->type == FFI_TYPE_FLOAT || t->type == FFI_TYPE_DOUBLE) {
			if (nx == 8)
				return -1;
			if (t->type == FFI_TYPE_FLOAT)
				memcpy(&x[nx++].u, args[i], 4);
			else
				memcpy(&x[nx++].u, args[i], 8);
		} else if (ng == 6 || reg_int(t, args[i], &g[ng++]) < 0) {
			return -1;
		}
	}
	switch (cif->rtype->type) {
	case FFI_TYPE_VOID:
	case FFI_TYPE_FLOAT:
	case FFI_TYPE_DOUBLE:
		break;
	default:
		if (reg_int(cif->rtype, &(uint64_t){ 0 }, &(uint64_t){ 0 }) < 0)
			return -1;
	}
	r = ((reg_fn)fn)(g[0], g[1], g[2], g[3], g[4], g[5], x[0].d, x[1].d, x[2].d, x[3].d,
			 x[4].d, x[5].d, x[6].d, x[7].d);
	switch (cif->rtype->type) {
	case FFI_TYPE_VOID:
		break;
	case FFI_TYPE_FLOAT:
	case FFI_TYPE_DOUBLE:
		if (cif->rtype->type == FFI_TYPE_FLOAT)
			memcpy(ret, &r.xmm0, 4);
		else
			memcpy(ret, &r.xmm0, 8);
		break;
	default:	/* widened into libffi's return slot, as ffi_call does */
		reg_int(cif->rtype, &r.rax, (uint64_t *)ret);
	}
	return 0;
}

void evaluate_original(struct hook *h, void *ret, void **args)
{
	if (call_by_registers(&h->cif, h->orig, ret, args) < 0)
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
	STAT_ADD(stats_mine(h->stats), evaluations, 1);
	STAT_ADD(stats_mine(h->stats), ns_in_function, ns);
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
