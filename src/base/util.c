/*
 * util: see util.h. Each helper here replaced copies that had grown in
 * several files.
 */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void util_hex(char *out, const void *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int util_unhex(uint8_t *out, const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(text[2 * i]), lo = hi < 0 ? -1 : nibble(text[2 * i + 1]);

		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return text[2 * n] ? -1 : 0;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

uint64_t util_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t util_wall_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int util_open_regular(int dirfd, const char *path, int flags, mode_t mode, struct stat *sb)
{
	struct stat own;
	int fd = openat(dirfd, path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode);

	if (fd < 0) {
		if (errno != ENXIO)	/* ENXIO: a FIFO without a reader, a socket, a device */
			return -1;
		errno = EINVAL;
		return UTIL_NOT_REGULAR;
	}
	if (!sb)
		sb = &own;
	if (fstat(fd, sb) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	if (!S_ISREG(sb->st_mode)) {
		close(fd);
		errno = EINVAL;
		return UTIL_NOT_REGULAR;
	}
	return fd;
}

int util_mkdirat(int dirfd, const char *path, mode_t mode)
{
	if (mkdirat(dirfd, path, mode) < 0)
		return -1;
	/* Ours since just now; a failure leaves it as the umask made it, and
	 * util_repair_mode is what a later user of it calls. */
	fchmodat(dirfd, path, mode, 0);
	return 0;
}

int util_repair_mode(int dirfd, const char *path, mode_t need, mode_t give, mode_t *was)
{
	struct stat sb;

	if (fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISLNK(sb.st_mode) || (sb.st_mode & need) == need)
		return 0;
	if (sb.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	if (was)
		*was = sb.st_mode & 07777;
	if (fchmodat(dirfd, path, (sb.st_mode & 07777) | give, 0) < 0)
		return -1;
	return 1;
}

int util_fd_high(int fd)
{
	struct rlimit rl;
	rlim_t floor = 1000;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur < 256) {
		errno = EMFILE;
		return -1;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur - rl.rlim_cur / 8 < floor)
		floor = rl.rlim_cur - rl.rlim_cur / 8;
	return fcntl(fd, F_DUPFD_CLOEXEC, (int)floor);
}

int util_flock_bounded(int fd, int wait_ms)
{
	uint64_t deadline = util_now_ns() + (uint64_t)wait_ms * 1000000ULL;
	long sleep_ns = 50000;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (util_now_ns() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&(struct timespec){ 0, sleep_ns }, NULL);
		if (sleep_ns < 5000000)
			sleep_ns *= 2;
	}
}

void util_human_size(char *out, size_t cap, uint64_t n)
{
	static const char units[] = "KMGTPE";
	unsigned __int128 d = 1024;
	uint64_t tenths;
	int u = 0;

	if (n < 1024) {
		snprintf(out, cap, "%llu", (unsigned long long)n);
		return;
	}
	/* rounded up, as du does: never less than what is used */
	for (;;) {
		tenths = (uint64_t)(((unsigned __int128)n * 10 + d - 1) / d);
		if (tenths < 10240 || u == 5)
			break;
		d *= 1024;
		u++;
	}
	if (tenths < 100)
		snprintf(out, cap, "%llu.%llu%c", (unsigned long long)tenths / 10,
			 (unsigned long long)tenths % 10, units[u]);
	else if ((tenths + 9) / 10 < 1024 || u == 5)
		snprintf(out, cap, "%llu%c", (unsigned long long)(tenths + 9) / 10, units[u]);
	else
		snprintf(out, cap, "1.0%c", units[u + 1]);
}
