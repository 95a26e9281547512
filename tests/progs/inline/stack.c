/*
 * t0510's program: a memoized recursion, and the stack each level takes.
 * depth(n) calls itself down to 0; every level is a new argument, so under
 * libmemo every level is a miss that runs the body through the entry.
 *   stack N KIB   prints depth(N), computed in a thread with a KIB KiB stack
 *                 (0: on the main thread), on stdout; on stderr the bytes of
 *                 stack between two levels ("bytes per level: B")
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static long start;
static volatile uintptr_t top, below;	/* addresses of two levels' `here` */

/* The address of `here` escapes before the recursive call, so the frame
 * stays and the call is not made into a loop. */
__attribute__((noinline)) long depth(long n)
{
	volatile char here = (char)n;

	if (n == start)
		top = (uintptr_t)&here;
	else if (n == start - 1)
		below = (uintptr_t)&here;
	if (n <= 0)
		return 0;
	return depth(n - 1) + n % 7 + here % 3;
}

static void *run(void *arg)
{
	(void)arg;
	printf("depth(%ld) = %ld\n", start, depth(start));
	return NULL;
}

int main(int argc, char **argv)
{
	long kib;
	pthread_attr_t attr;
	pthread_t t;

	if (argc != 3)
		return 2;
	start = atol(argv[1]);
	kib = atol(argv[2]);
	if (!kib) {
		run(NULL);
	} else {
		if (pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, (size_t)kib * 1024) ||
		    pthread_create(&t, &attr, run, NULL) || pthread_join(t, NULL)) {
			fprintf(stderr, "stack: no thread with a %ld KiB stack\n", kib);
			return 1;
		}
	}
	fflush(stdout);
	if (start > 0)
		fprintf(stderr, "bytes per level: %ld\n", (long)(top - below));
	return 0;
}
