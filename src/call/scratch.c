/*
 * scratch: a thread's own memory for the call path (scratch.h).
 */
#include "call/scratch.h"

#include <pthread.h>
#include <stdbool.h>
#include <sys/mman.h>

__thread uintptr_t memo_vec_base, memo_vec_end, memo_vec_top;

__thread struct scratch *scratch_mapped;
static pthread_key_t exit_key;
static int keyed;	/* exit_key was created */

/* pthread_key destructor: the thread is exiting, none of its calls goes on
 * (a pthread_exit from a body abandoned its levels). */
static void thread_exit(void *unused)
{
	(void)unused;
	struct scratch *sc = scratch_mapped;

	/* forgotten before it goes: a signal handler's call in between must
	 * not find it (l1_entry_hit writes there) */
	scratch_mapped = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (sc)
		munmap(sc, sizeof *sc);
	if (memo_vec_base)
		munmap((void *)memo_vec_base, memo_vec_end - memo_vec_base);
	memo_vec_top = memo_vec_end = memo_vec_base = 0;
}

void scratch_init(void)
{
	keyed = pthread_key_create(&exit_key, thread_exit) == 0;
}

struct scratch *scratch_get(void)
{
	void *p;

	if (scratch_mapped)
		return scratch_mapped;
	/* mmap, not malloc: the first call may be a signal handler's */
	p = mmap(NULL, sizeof *scratch_mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* a signal handler's call may have mapped one since: keep the first */
	if (!__atomic_compare_exchange_n(&scratch_mapped, &(struct scratch *){ NULL }, p, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		munmap(p, sizeof *scratch_mapped);
		return scratch_mapped;
	}
	if (keyed)
		pthread_setspecific(exit_key, p);
	return scratch_mapped;
}
