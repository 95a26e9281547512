/*
 * t0511's library: its constructor starts a thread that calls race_f in a
 * tight loop, so the thread is often inside race_f's first bytes while the
 * dlopen that loaded the library returns and libmemo patches race_f. race_f's
 * first instruction is 1 byte (push %rbp): a thread paused right after it
 * would resume inside the jump, were the jump written over it.
 */
#include <pthread.h>

static pthread_t spinner;
static int stop;
static long bad, calls;

/* long race_f(long x) { return x * 7 + 1; }, with its frame pointer kept
 * whatever the optimization: the 1-byte push is the point. */
long race_f(long x);
__asm__(".globl race_f\n"
	".type race_f, @function\n"
	"race_f:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	lea 0(,%rdi,8), %rax\n"
	"	sub %rdi, %rax\n"
	"	add $1, %rax\n"
	"	pop %rbp\n"
	"	ret\n"
	".size race_f, .-race_f\n");

static void *spin(void *arg)
{
	(void)arg;
	for (long i = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE) || i < 100000; i++) {
		if (race_f(i & 15) != (i & 15) * 7 + 1)
			bad++;
		calls++;
	}
	return NULL;
}

__attribute__((constructor)) static void start(void)
{
	pthread_create(&spinner, NULL, spin, NULL);
}

/* Stops the thread; the number of wrong results it saw. */
long race_stop(void)
{
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(spinner, NULL);
	return bad;
}
