/* A C program under a config that names C++ functions too (t1423): its
 * own c_square is memoized, and it says whether libstdc++ is mapped in
 * it, from /proc/self/maps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runs.h"

__attribute__((noinline)) long c_square(long x)
{
	test_ran("c_square");
	return x * x;
}

int main(int argc, char **argv)
{
	char line[4096];
	int cxx = 0;
	FILE *f;

	printf("%ld\n", c_square(argc > 1 ? atol(argv[1]) : 3));
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof line, f))
		cxx |= strstr(line, "libstdc++") != NULL;
	if (f)
		fclose(f);
	printf("libstdc++ mapped: %s\n", cxx ? "yes" : "no");
	return 0;
}
