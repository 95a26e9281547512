/*
 * Deterministic slow functions for the single-flight tests. Each body reports
 * its run (runs.h), so a test counts computations without timing anything.
 */
#include <stdlib.h>
#include <unistd.h>

#include "../runs.h"

/* The same one-second computation for every caller. */
long slow_square(int x)
{
	test_ran("slow_square");
	sleep(1);
	return (long)x * x + 1;
}

/* Counts gated_square's bodies as they start, so a program knows when one of
 * its threads is inside the body without reading the runs file. */
int flight_gated_entered;

/* Runs while the file $FLIGHT_GATE exists (at most a minute): the test
 * decides when the body ends, so it can kill a caller in the middle of it. */
long gated_square(int x)
{
	const char *gate = getenv("FLIGHT_GATE");
	int i;

	test_ran("gated_square");
	__atomic_add_fetch(&flight_gated_entered, 1, __ATOMIC_SEQ_CST);
	for (i = 0; gate && i < 6000 && access(gate, F_OK) == 0; i++)
		usleep(10000);
	return (long)x * x + 1;
}

/* Called by escape_square's body when set: the program's way out of the body
 * (a longjmp, a C++ throw). */
void (*flight_escape)(void);

/* Leaves through flight_escape when the program set it. */
long escape_square(int x)
{
	test_ran("escape_square");
	if (flight_escape)
		flight_escape();
	return (long)x * x + 1;
}
