/*
 * clockshift: an LD_PRELOAD library that moves the wall clock
 * (CLOCK_REALTIME and CLOCK_REALTIME_COARSE) forward by $CLOCKSHIFT
 * seconds, so that a test can make entries look written hours ago without
 * waiting (tests/t0315). The monotonic clocks are left alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	/* read once: a getenv at every call (each hit reads the clock) added
	 * ~35 ns to the hits bench/run times under it */
	static long shift = -1;
	int r;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	if (shift < 0) {
		const char *s = getenv("CLOCKSHIFT");

		shift = s ? atol(s) : 0;
	}
	r = real(id, ts);
	if (r == 0 && shift && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += shift;
	return r;
}
