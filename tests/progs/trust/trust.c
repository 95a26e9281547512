/* The trust library: big_fill writes n bytes that depend only on the seed,
 * so a forged or half-written cached value shows in the caller's checksum. */
#include <stddef.h>
#include <stdint.h>

#include "../runs.h"

void big_fill(int seed, unsigned char *buf, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ull ^ (uint64_t)(unsigned)seed;
	size_t i;

	test_ran("big_fill");
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
}
