/* IFUNCs selected the way a CPU's features select libm's (tests/t0606),
 * by environment variables instead, so the test does not depend on the CPU:
 * kernel, exported, is itself an IFUNC ($MEMO_TEST_KERNEL); wrapped, an
 * ordinary export, calls inner, an IFUNC of the library's own (an IRELATIVE
 * slot, as libm's exp calls __exp; $MEMO_TEST_INNER). Variant b's results
 * differ from variant a's. */
#include "variant.h"

static int kernel_a(int x) { return 3 * x + 1; }
static int kernel_b(int x) { return 3 * x + 2; }
static int (*kernel_resolve(void))(int) { return variant_b("MEMO_TEST_KERNEL") ? kernel_b : kernel_a; }
int kernel(int x) __attribute__((ifunc("kernel_resolve")));

static int inner_a(int x) { return 5 * x + 1; }
static int inner_b(int x) { return 5 * x + 2; }
static int (*inner_resolve(void))(int) { return variant_b("MEMO_TEST_INNER") ? inner_b : inner_a; }
static int inner(int x) __attribute__((ifunc("inner_resolve")));

int wrapped(int x)
{
	return inner(x) + 100;
}
