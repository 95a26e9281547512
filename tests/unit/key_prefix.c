/*
 * Unit driver for key_prefix's block alignment (src/store/key.c): whatever
 * the namespace's and the prototype's lengths, the prefix state leaves only
 * the rules (8 bytes) pending, so a call's own bytes start a block and up to
 * 120 of them take one compression (that settling the prefix's blocks
 * changes no digest is key_settle's). Calls key.h, proto.h and libb2.
 * Single-threaded.
 * Prints one line per failed expectation; exit 0 when all hold.
 */
#include <blake2.h>
#include <stdio.h>
#include <string.h>

#include "config/proto.h"
#include "config/strpool.h"
#include "store/key.h"
#include "expect.h"

static struct strpool names;	/* the prototypes' names: the process's life */

int main(void)
{
	static const char *const protos[] = {
		"double f(int a)",
		"double bf_scalar(int a, double b)",
		"long a_function_with_a_long_name(const double x[n], size_t n, int seed, double tol)",
	};
	uint8_t identity[32];
	char ns[301];
	int checked = 0;

	for (size_t i = 0; i < sizeof identity; i++)
		identity[i] = (uint8_t)(i * 37 + 1);
	for (size_t j = 0; j < sizeof protos / sizeof protos[0]; j++) {
		struct proto p;
		struct proto_error err;

		if (proto_parse(protos[j], &p, &err, &names) < 0) {
			printf("FAIL: '%s': %s\n", protos[j], err.msg);
			return 1;
		}
		for (size_t len = 0; len < sizeof ns; len++) {
			blake2b_state s;

			memset(ns, 'n', len);
			ns[len] = 0;
			key_prefix(&s, ns, 7, identity, &p, 0);
			EXPECT((s.t[0] + s.buflen) % BLAKE2B_BLOCKBYTES == 8 && s.buflen == 8,
			       "'%s', namespace of %zu: %u bytes pending, %llu hashed", protos[j], len,
			       s.buflen, (unsigned long long)(s.t[0] + s.buflen));
			checked++;
		}
	}
	printf("%s (%d failures, %d prefixes)\n", failures ? "FAIL" : "ok", failures, checked);
	return failures != 0;
}
