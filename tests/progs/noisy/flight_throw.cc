/*
 * flight_throw: a C++ exception thrown out of escape_square's body, through
 * libmemo's frames when it is memoized, caught by the caller; then the same
 * key from the same thread and from another, and a thread that throws out
 * of escape_square(5) and exits before main calls it. Prints each value.
 */
#include <pthread.h>
#include <stdio.h>

extern "C" {
long escape_square(int x);
extern void (*flight_escape)(void);
}

static void throw_out(void)
{
	throw 42;
}

static long v5;

static void *thrower(void *)
{
	try {
		v5 = escape_square(5);
	} catch (int e) {
		v5 = -e;
	}
	return NULL;
}

static void *plain(void *arg)
{
	*(long *)arg = escape_square(4);
	return NULL;
}

int main()
{
	pthread_t t;
	long v = 0;

	flight_escape = throw_out;
	try {
		printf("4 -> %ld\n", escape_square(4));
	} catch (int e) {
		printf("4: caught %d\n", e);
	}
	flight_escape = NULL;
	printf("4 -> %ld\n", escape_square(4));
	pthread_create(&t, NULL, plain, &v);
	pthread_join(t, NULL);
	printf("4 -> %ld\n", v);

	flight_escape = throw_out;
	pthread_create(&t, NULL, thrower, NULL);
	pthread_join(t, NULL);
	printf("5: %ld\n", v5);
	flight_escape = NULL;
	printf("5 -> %ld\n", escape_square(5));
	return 0;
}
