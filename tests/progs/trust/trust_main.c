/* trust SEED BYTES [REPS]: calls big_fill and prints an FNV-1a checksum of
 * the buffer and its first and last bytes, so runs compare byte for byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void big_fill(int seed, unsigned char *buf, size_t n);

int main(int argc, char **argv)
{
	int seed = argc > 1 ? atoi(argv[1]) : 1, reps = argc > 3 ? atoi(argv[3]) : 1;
	size_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 16, i;
	unsigned char *buf = malloc(n ? n : 1);

	if (!buf)
		return 1;
	for (int r = 0; r < reps; r++) {
		uint64_t h = 0xcbf29ce484222325ull;

		big_fill(seed, buf, n);
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
		printf("big_fill %d %zu: %016llx first %02x last %02x\n", seed, n,
		       (unsigned long long)h, n ? buf[0] : 0, n ? buf[n - 1] : 0);
	}
	free(buf);
	return 0;
}
