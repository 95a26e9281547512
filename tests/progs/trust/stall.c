/* A fault injector for the killed-writer test (t1205), preloaded before
 * libmemo: the first write(2) to a cache temp file ("/.t." in its path)
 * writes half of what was asked, creates $STALL_MARK and then waits forever,
 * so the test can SIGKILL the writer at a known point, mid-entry. Every
 * other write goes straight to libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	char link[64], path[4096];
	const char *mark = getenv("STALL_MARK");
	ssize_t len, w;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof path - 1);
	if (!mark || len <= 0 || n < 2)
		return real(fd, buf, n);
	path[len] = 0;
	if (!strstr(path, "/.t."))
		return real(fd, buf, n);
	w = real(fd, buf, n / 2);
	close(open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	for (;;)
		pause();
	return w;
}
