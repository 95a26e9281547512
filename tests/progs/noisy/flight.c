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

/* Runs while the file $FLIGHT_GATE exists (at most a minute): the test
 * decides when the body ends, so it can kill a caller in the middle of it. */
long gated_square(int x)
{
	const char *gate = getenv("FLIGHT_GATE");
	int i;

	test_ran("gated_square");
	for (i = 0; gate && i < 6000 && access(gate, F_OK) == 0; i++)
		usleep(10000);
	return (long)x * x + 1;
}
