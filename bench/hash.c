/*
 * hash: key hashing throughput for large arguments (the BLAKE2b tree of
 * src/store/treehash.c, through key_compute as a call would use it) against
 * libb2's plain blake2b over the same bytes on one core, in one run.
 *   hash MiB...     prints "key_MiB GB/s" and "blake2b_MiB GB/s" lines
 */
#include <blake2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/key.h"
#include "config/proto.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct proto p;
	struct proto_error err;
	struct strpool names = { 0 };	/* the process's life */
	blake2b_state prefix;
	uint8_t identity[32] = { 0 }, digest[32];
	struct memo_key k;
	int a;

	if (proto_parse("double f(const void buf[n], size_t n)", &p, &err, &names) < 0) {
		fprintf(stderr, "hash: %s\n", err.msg);
		return 1;
	}
	key_prefix(&prefix, "", 0, identity, &p, 0);
	for (a = 1; a < argc; a++) {
		size_t mib = strtoul(argv[a], NULL, 10), n = mib << 20;
		unsigned char *buf = malloc(n);
		void *bufp = buf;
		void *args[2] = { &bufp, &n };
		int reps = mib >= 64 ? 3 : 50, r;
		double t;

		memset(buf, 0x5a, n);
		key_compute(&prefix, &p, args, NULL, 0, &k);	/* starts the pool */
		t = now();
		for (r = 0; r < reps; r++)
			key_compute(&prefix, &p, args, NULL, 0, &k);
		printf("key_%zuMiB %.2f GB/s\n", mib, (double)n * reps / (now() - t) / 1e9);
		t = now();
		for (r = 0; r < reps; r++)
			blake2b(digest, buf, NULL, 32, n, 0);
		printf("blake2b_%zuMiB %.2f GB/s\n", mib, (double)n * reps / (now() - t) / 1e9);
		free(buf);
	}
	return 0;
}
