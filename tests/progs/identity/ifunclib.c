/* IFUNCs selected the way a CPU's features select libm's (tests/t0606),
 * by environment variables instead, so the test does not depend on the CPU:
 * kernel, exported, is itself an IFUNC ($MEMO_TEST_KERNEL); wrapped, an
 * ordinary export, calls inner, an IFUNC of the library's own (an IRELATIVE
 * slot, as libm's exp calls __exp; $MEMO_TEST_INNER). Variant b's results
 * differ from variant a's. */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether VAR=b is in the environment. Read from /proc with bare system
 * calls and no string functions: inner's resolver runs while the library is
 * relocated, before libc's getenv has an environment to read and before a
 * preloaded ASan has set up the functions it intercepts. */
static bool variant_b(const char *var)
{
	static char env[65536];
	long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/environ", O_RDONLY | O_CLOEXEC);
	long n = fd < 0 ? -1 : syscall(SYS_read, fd, env, sizeof env - 1);

	if (fd >= 0)
		syscall(SYS_close, fd);
	for (long i = 0; i < n; i++) {
		long k = 0;
		while (var[k] && i + k < n && env[i + k] == var[k])
			k++;
		if (!var[k] && i + k + 2 < n && env[i + k] == '=' && env[i + k + 1] == 'b' &&
		    !env[i + k + 2])
			return true;
		while (i < n && env[i])	/* to the next variable */
			i++;
	}
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
