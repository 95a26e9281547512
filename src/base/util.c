/*
 * util: see util.h. Each helper here replaced copies that had grown in
 * several files.
 */
#include "base/util.h"

#include <dlfcn.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* 16 bytes at a time where SSE2 is (x86-64 always): a key's 32 bytes in
 * ~30 instructions, not the byte loop's ~390 (a remote hit formats one). */
void util_hex(char *out, const void *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = in;
	size_t i = 0;

#ifdef __SSE2__
	const __m128i low = _mm_set1_epi8(15), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), past_nine = _mm_set1_epi8('a' - '0' - 10);

	for (; n - i >= 16; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(p + i));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(b, 4), low), lo = _mm_and_si128(b, low);
		/* each byte's high nibble, then its low one */
		__m128i d[2] = { _mm_unpacklo_epi8(hi, lo), _mm_unpackhi_epi8(hi, lo) };

		for (int h = 0; h < 2; h++) {
			__m128i c = _mm_add_epi8(d[h], zero);

			c = _mm_add_epi8(c, _mm_and_si128(_mm_cmpgt_epi8(d[h], nine), past_nine));
			_mm_storeu_si128((__m128i *)(out + 2 * i + 16 * h), c);
		}
	}
#endif
	for (; i < n; i++) {
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

int util_path_in(char *out, size_t n, const char *dir, const char *name)
{
	size_t d = strlen(dir), k = strlen(name) + 1;

	if (d + 1 + k > n)
		return -1;
	memcpy(out, dir, d);
	out[d] = '/';
	memcpy(out + d + 1, name, k);
	return 0;
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

uint64_t util_wall_coarse_ns(void)
{
	return clock_ns(CLOCK_REALTIME_COARSE);
}

int util_file_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	char tmp[PATH_MAX + 32];
	int fd, err;
	bool ok;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	fchmod(fd, mode);
	errno = 0;
	ok = write(fd, buf, len) == (ssize_t)len;
	if (close(fd) || !ok || rename(tmp, path)) {
		err = errno ? errno : EIO;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

/* Room for n bytes and a NUL in b->text; 0 when it cannot be had. */
static int book_room(struct util_book *b, size_t n)
{
	size_t cap = b->cap;
	char *t;

	if (n < cap)
		return 1;
	if (n >= UTIL_BOOK_MAX)
		return 0;
	while (cap <= n)
		cap *= 2;
	if (!(t = b->heap ? realloc(b->text, cap) : malloc(cap)))
		return 0;
	if (!b->heap)
		memcpy(t, b->text, b->len + 1);
	b->text = t;
	b->cap = cap;
	b->heap = 1;
	return 1;
}

void util_book_read(struct util_book *b, char *first, size_t first_size, const char *path)
{
	struct stat sb;
	ssize_t got = 0, r;
	int fd;

	if (!b->text) {
		b->text = first;
		b->cap = first_size;
	}
	b->len = 0;
	b->text[0] = '\0';
	fd = util_open_regular(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW, 0, &sb);
	/* pread, as read would from a file just opened: start-up calls
	 * pread already, and each other import is a lookup by the loader */
	if (fd >= 0 && book_room(b, (size_t)sb.st_size))
		while ((size_t)got < (size_t)sb.st_size &&
		       (r = pread(fd, b->text + got, (size_t)sb.st_size - (size_t)got, got)) > 0)
			got += r;
	if (fd >= 0)
		close(fd);
	while (got > 0 && b->text[got - 1] != '\n')
		got--;
	b->text[got] = '\0';
	b->len = (size_t)got;
}

void util_book_add(struct util_book *b, const char *path, const char *line, size_t len)
{
	if (!book_room(b, b->len + len))
		b->len = 0;	/* past UTIL_BOOK_MAX: start over, the rest is found again */
	memcpy(b->text + b->len, line, len + 1);
	b->len += len;
	util_file_replace(path, b->text, b->len, 0600);
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

int util_fd_floor(void)
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
	return (int)floor;
}

int util_fd_high(int fd)
{
	int floor = util_fd_floor();

	return floor < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, floor);
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

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif
#define PROBE_PAGE 4096UL	/* the smallest page: a larger one is a run of these */
#define PROBE_PAGES 128		/* per process_vm_readv: 2 KiB of iovecs on the stack */

/* Before Linux 5.14, madvise knows no MADV_POPULATE_READ and says EINVAL, as
 * it does for a range it cannot read: asked once of a page known readable. */
static int populate_works;	/* 0 not asked yet, 1 works, -1 does not */

static bool populate_known(void)
{
	int w = __atomic_load_n(&populate_works, __ATOMIC_RELAXED);

	if (!w) {
		uintptr_t page = (uintptr_t)&populate_works & ~(PROBE_PAGE - 1);

		w = madvise((void *)page, PROBE_PAGE, MADV_POPULATE_READ) == 0 ? 1 : -1;
		__atomic_store_n(&populate_works, w, __ATOMIC_RELAXED);
	}
	return w > 0;
}

/* One byte of each page from at to last, both page-aligned, through the
 * kernel: it fails where a read would fault. */
static int readable_by_copy(uintptr_t at, uintptr_t last)
{
	struct iovec remote[PROBE_PAGES], local;
	char sink[PROBE_PAGES];
	pid_t self = getpid();

	local.iov_base = sink;
	while (at <= last && at != 0) {
		ssize_t k = 0, got;

		for (; k < PROBE_PAGES && at <= last && at != 0; k++, at += PROBE_PAGE) {
			remote[k].iov_base = (void *)at;
			remote[k].iov_len = 1;
		}
		local.iov_len = (size_t)k;
		got = process_vm_readv(self, &local, 1, remote, (unsigned long)k, 0);
		if (got == k)
			continue;
		return got >= 0 || errno == EFAULT ? 0 : -1;
	}
	return 1;
}

/* From this many bytes on, one read of /proc/self/maps (~10-150 us, with
 * the number of mappings) costs less than MADV_POPULATE_READ (~0.35 us a
 * page: 1.4 ms for 16 MiB). */
#define BY_MAPS_BYTES (4UL << 20)

/* Is [at, end) covered by readable mappings, without a gap? From
 * /proc/self/maps, whose lines ("start-end perms ...", in hex, sorted) are
 * read a block at a time; only each line's start matters. -1 without /proc. */
static int readable_by_maps(uintptr_t at, uintptr_t end)
{
	char buf[4096];
	size_t have = 0;
	bool skipping = false;	/* in the tail of a line longer than buf */
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof buf - have);
		char *line = buf, *nl;

		if (got <= 0)
			break;
		have += (size_t)got;
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
			unsigned long lo, hi;
			char perm;

			if (!skipping && sscanf(line, "%lx-%lx %c", &lo, &hi, &perm) == 3 && hi > at) {
				if (lo > at || perm != 'r')
					goto out;	/* a gap, or a page that cannot be read */
				at = hi;
				if (at >= end) {
					r = 1;
					goto out;
				}
			}
			skipping = false;
			line = nl + 1;
		}
		if (line == buf) {	/* no newline in a full buffer: keep its start */
			skipping = true;
			have = 0;
			continue;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
out:
	close(fd);
	return r;
}

int util_readable(const void *p, size_t n)
{
	uintptr_t at = (uintptr_t)p, last;

	if (n == 0 || (at & (PROBE_PAGE - 1)) + n <= PROBE_PAGE)
		return 1;
	if (at + (n - 1) < at)
		return 0;
	last = (at + (n - 1)) & ~(PROBE_PAGE - 1);
	at = (at & ~(PROBE_PAGE - 1)) + PROBE_PAGE;	/* the first page is the caller's */
	/* One call for the whole range, where the kernel has it: the pages are
	 * made present for reading (as hashing them would), and a range with a
	 * page that cannot be read is refused (ENOMEM unmapped, EINVAL or
	 * EFAULT for a protection). ~0.4 us a page already present. */
	if (n >= BY_MAPS_BYTES) {
		int r = readable_by_maps(at, last + PROBE_PAGE);

		if (r >= 0)
			return r;
	}
	if (populate_known())
		return madvise((void *)at, last - at + PROBE_PAGE, MADV_POPULATE_READ) == 0 ||
		       errno == EINTR ? 1 : 0;
	return readable_by_copy(at, last);
}

struct link_map *util_object_at(const void *addr)
{
	struct dl_find_object found;

	if (_dl_find_object((void *)addr, &found) < 0)
		return NULL;
	return found.dlfo_link_map;
}
