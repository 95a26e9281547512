/* IFUNCs selected the way a CPU's features select libm's (tests/t0606),
 * by environment variables instead, so the test does not depend on the CPU:
 * kernel, exported, is itself an IFUNC ($MEMO_TEST_KERNEL); wrapped, an
 * ordinary export, calls inner, an IFUNC of the library's own (an IRELATIVE
 * slot, as libm's exp calls __exp; $MEMO_TEST_INNER). Variant b's results
 * differ from variant a's. */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* Whether VAR=b is in the environment. Read from /proc: inner's resolver
 * runs while the library is relocated, before libc's getenv has an
 * environment to read. */
static bool variant_b(const char *var)
{
	static char env[65536];
	char want[64];
	int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, env, sizeof env - 1);
	size_t len = strlen(var);

	if (fd >= 0)
		close(fd);
	if (n <= 0 || len + 3 > sizeof want)
		return false;
	env[n] = '\0';
	memcpy(want, var, len);
	memcpy(want + len, "=b", 3);
	for (const char *p = env; p < env + n; p += strlen(p) + 1)
		if (!strcmp(p, want))
			return true;
	return false;
}

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
