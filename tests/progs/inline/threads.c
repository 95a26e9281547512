/*
 * t0504's program: 8 threads enter a memoized (entry-patched) function and stay inside
 * it while the main thread dlopens libreach2.so (whose inl_late is then
 * patched) and calls into it; then the 8 threads call another patched
 * function at once, checking every result. Prints a summary that must match
 * the run without patching.   threads DIR
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "runs.h"

#define NT 8
#define CALLS 2000

static int inside, go;

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
}

/* Holds its caller until main says go. */
__attribute__((noinline)) long inl_hold(long x)
{
	test_ran("inl_hold");
	__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST))
		nap();
	return x * 3;
}

__attribute__((noinline)) long inl_fast(long x)
{
	return x * x - 1;
}

static void *worker(void *arg)
{
	long id = (long)arg, bad = 0;

	if (inl_hold(id) != id * 3)
		bad++;
	for (long i = 0; i < CALLS; i++)
		if (inl_fast(i + id) != (i + id) * (i + id) - 1)
			bad++;
	return (void *)bad;
}

int main(int argc, char **argv)
{
	pthread_t t[NT];
	char path[4096];
	long bad = 0;
	void *h, *r;
	long (*late)(long);

	for (long i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	while (__atomic_load_n(&inside, __ATOMIC_SEQ_CST) < NT)
		nap();
	snprintf(path, sizeof path, "%s/libreach2.so", argc > 1 ? argv[1] : ".");
	h = dlopen(path, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "threads: %s\n", dlerror());
		return 1;
	}
	late = (long (*)(long))dlsym(h, "inl_late");
	printf("late(6)=%ld with %d threads inside\n", late(6), NT);
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < NT; i++) {
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("%d threads x %d calls, wrong results: %ld\n", NT, CALLS, bad);
	return bad != 0;
}
