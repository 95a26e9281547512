/* mcmain K [N [FIRST [GATE]]]: prints mc_slow(seed) for seeds FIRST+1..FIRST+K
 * exactly (hex floats) and, with N, a digest of mc_big(seed, buf, N) for seeds
 * 1..2, so runs with and without libmemo compare byte for byte. FIRST (0)
 * gives each of many processes entries of its own. With GATE, the mc_slow
 * calls are made three times: the second time once the file GATE is gone
 * (and 300 ms more), so a test can change the servers in between. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

double mc_slow(int seed, long n);
void mc_big(int seed, double *out, size_t n);

int main(int argc, char **argv)
{
	int k = argc > 1 ? atoi(argv[1]) : 3, seed;
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 0, i;
	int first = argc > 3 ? atoi(argv[3]) : 0, round;
	const char *gate = argc > 4 ? argv[4] : NULL;

	for (round = 0; round < (gate ? 3 : 1); round++) {
		if (round == 1) {
			while (access(gate, F_OK) == 0)
				usleep(10000);
			fflush(stdout);
			usleep(300000);
		}
		for (seed = first + 1; seed <= first + k; seed++)
			printf("mc_slow(%d) = %a\n", seed, mc_slow(seed, 200000));
	}
	if (n) {
		double *buf = malloc(n * sizeof *buf);
		const unsigned char *p = (const unsigned char *)buf;

		if (!buf)
			return 1;
		for (seed = 1; seed <= 2; seed++) {
			uint64_t h = 1469598103934665603ULL;	/* FNV-1a over every byte */

			mc_big(seed, buf, n);
			for (i = 0; i < n * sizeof *buf; i++)
				h = (h ^ p[i]) * 1099511628211ULL;
			printf("mc_big(%d, %zu) = %016llx\n", seed, n, (unsigned long long)h);
		}
		free(buf);
	}
	return 0;
}
