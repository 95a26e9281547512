/*
 * flight_escape cancel|jump: callers that leave a single-flight call without
 * ending it, then calls of the same key that must not wait for them.
 *
 * cancel (FLIGHT_GATE names a file that exists at the start):
 *   1. thread A computes gated_square(7) and holds it (the gate); thread B
 *      calls it too (under libmemo B waits for A, in single flight) and is
 *      cancelled there; the gate goes, A returns; main calls it again.
 *   2. thread C is cancelled inside gated_square(8)'s body; main calls
 *      gated_square(8).
 * jump:
 *   1. main longjmps out of escape_square(4)'s body, then calls it again;
 *      then another thread calls it.
 *   2. thread D longjmps out of escape_square(5)'s body and exits; main
 *      calls escape_square(5).
 * Each call that returns prints "X -> value"; a cancelled thread prints
 * "cancelled" when joined.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long gated_square(int x);
long escape_square(int x);
extern int flight_gated_entered;
extern void (*flight_escape)(void);

static __thread jmp_buf *escape_to;

static void jump_out(void)
{
	longjmp(*escape_to, 1);
}

static int entered(void)
{
	return __atomic_load_n(&flight_gated_entered, __ATOMIC_SEQ_CST);
}

/* Wait (at most a minute) until the gated bodies started number more than n. */
static void wait_entered(int n)
{
	int i;

	for (i = 0; i < 6000 && entered() <= n; i++)
		usleep(10000);
}

/* Wait (at most a minute) until thread tid sleeps in futex (libmemo's wait)
 * or clock_nanosleep (the body's usleep, when it runs unmemoized). */
static void wait_asleep(pid_t tid)
{
	char path[64], buf[64];
	int i;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	for (i = 0; i < 6000; i++) {
		FILE *f = fopen(path, "r");
		int n = 0;

		if (f) {
			if (fgets(buf, sizeof buf, f))
				n = atoi(buf);
			fclose(f);
		}
		if (n == 202 || n == 230)
			break;
		usleep(10000);
	}
	usleep(50000);	/* and stays there: not a check, only more likely */
}

struct job {
	int x;
	long v;
	pid_t tid;
};

static void *gated(void *arg)
{
	struct job *j = arg;

	__atomic_store_n(&j->tid, gettid(), __ATOMIC_SEQ_CST);
	j->v = gated_square(j->x);
	pthread_testcancel();	/* a cancellation that came during the call happens here */
	return NULL;
}

static void *escaping(void *arg)
{
	struct job *j = arg;
	jmp_buf env;

	escape_to = &env;
	if (setjmp(env) == 0)
		j->v = escape_square(j->x);
	else
		j->v = -1;
	return NULL;
}

static void *plain(void *arg)
{
	struct job *j = arg;

	j->v = escape_square(j->x);
	return NULL;
}

static void join(pthread_t t, struct job *j)
{
	void *r;

	pthread_join(t, &r);
	if (r == PTHREAD_CANCELED)
		printf("cancelled\n");
	else
		printf("%d -> %ld\n", j->x, j->v);
	fflush(stdout);
}

static void cancel_mode(void)
{
	const char *gate = getenv("FLIGHT_GATE");
	struct job a = { 7 }, b = { 7 }, c = { 8 };
	pthread_t ta, tb, tc;
	int n;

	if (!gate || access(gate, F_OK) != 0) {
		fprintf(stderr, "FLIGHT_GATE must name a file\n");
		exit(2);
	}
	pthread_create(&ta, NULL, gated, &a);
	wait_entered(0);
	pthread_create(&tb, NULL, gated, &b);
	while (!__atomic_load_n(&b.tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	wait_asleep(b.tid);
	pthread_cancel(tb);
	unlink(gate);
	join(ta, &a);
	join(tb, &b);
	printf("%d -> %ld\n", 7, gated_square(7));

	if (fopen(gate, "w") == NULL)
		exit(2);
	n = entered();
	pthread_create(&tc, NULL, gated, &c);
	wait_entered(n);
	pthread_cancel(tc);
	join(tc, &c);
	unlink(gate);
	printf("%d -> %ld\n", 8, gated_square(8));
}

static void jump_mode(void)
{
	struct job p = { 4 }, d = { 5 };
	pthread_t t;
	jmp_buf env;

	flight_escape = jump_out;
	escape_to = &env;
	if (setjmp(env) == 0)
		printf("%d -> %ld\n", 4, escape_square(4));
	else
		printf("4: jumped out\n");
	flight_escape = NULL;
	printf("%d -> %ld\n", 4, escape_square(4));
	pthread_create(&t, NULL, plain, &p);
	join(t, &p);

	flight_escape = jump_out;
	pthread_create(&t, NULL, escaping, &d);
	join(t, &d);
	flight_escape = NULL;
	printf("%d -> %ld\n", 5, escape_square(5));
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "cancel"))
		cancel_mode();
	else if (argc == 2 && !strcmp(argv[1], "jump"))
		jump_mode();
	else {
		fprintf(stderr, "usage: flight_escape cancel|jump\n");
		return 2;
	}
	return 0;
}
