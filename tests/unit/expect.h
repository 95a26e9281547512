/*
 * expect.h: the unit drivers' check. EXPECT(cond, fmt, ...) counts a
 * failure in `failures` and prints where and why; the driver exits with
 * `failures != 0`.
 */
#ifndef MEMO_UNIT_EXPECT_H
#define MEMO_UNIT_EXPECT_H

#include <stdio.h>

static int failures;

#define EXPECT(cond, ...)                                               \
	do {                                                            \
		if (!(cond)) {                                          \
			failures++;                                     \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);     \
			printf(__VA_ARGS__);                            \
			printf("\n");                                   \
		}                                                       \
	} while (0)

#endif
