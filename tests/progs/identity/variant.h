/*
 * variant_b(VAR): whether VAR=b is in the environment, for the IFUNC
 * resolvers of tests/t0606's programs, which select by it as glibc selects
 * by the CPU.
 */
#ifndef MEMO_TEST_VARIANT_H
#define MEMO_TEST_VARIANT_H

#include <fcntl.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether VAR=b is in the environment. Read from /proc with bare system
 * calls and no string functions: inner's resolver runs while the library is
 * relocated, before libc's getenv has an environment to read and before a
 * preloaded ASan has set up the functions it intercepts. */
static inline bool variant_b(const char *var)
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

#endif
