/*
 * util: small helpers that several layers need, written once: hex text,
 * the clocks, opening a file that cannot block, folders whatever the umask,
 * descriptors kept high, whether memory can be read, a lock with a
 * bounded wait, sizes as people read them, the loaded object at an address.
 * Calls libc only. Hot-path safe: no allocation, no lock; any thread, and
 * after fork.
 */
#ifndef MEMO_UTIL_H
#define MEMO_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* The n bytes at `in` as 2n lowercase hex digits and a NUL: `out` has room
 * for 2n + 1 bytes.
 *   char text[2 * 32 + 1];
 *   util_hex(text, digest, 32);
 */
void util_hex(char *out, const void *in, size_t n);

/* The reverse: `text` must be exactly 2n hex digits (either case), then its
 * end; 0, or -1 (out then holds garbage). */
int util_unhex(uint8_t *out, const char *text, size_t n);

/* "dir/name" into out (n bytes), as snprintf(out, n, "%s/%s", dir, name)
 * would, without its formatting (start-up names a few files a function):
 * 0, or -1 when it does not fit (out unchanged). */
int util_path_in(char *out, size_t n, const char *dir, const char *name);

/* CLOCK_MONOTONIC in ns: for durations and deadlines. */
uint64_t util_now_ns(void);

/* CLOCK_REALTIME in ns: only to compare with file times. */
uint64_t util_wall_ns(void);
/* The same to the kernel's tick (a few ms behind; ~10 ns a call here, ~50
 * for the precise one): for a hit's check of its entry's age in minutes. */
uint64_t util_wall_coarse_ns(void);

/* openat(dirfd, path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode), kept
 * only if what opened is a regular file (its fstat into *sb, if sb): a FIFO, socket or device planted
 * where libmemo keeps a file can then never block or feed the process. The
 * fd, or -1 (errno from open or fstat), or UTIL_NOT_REGULAR (errno EINVAL)
 * for anything that is not a regular file (a FIFO without a reader refuses a
 * write-only open: that counts too). O_NONBLOCK stays set: on a regular file
 * it changes nothing.
 *   fd = util_open_regular(dirfd, "ab/KEY", O_RDONLY | O_NOFOLLOW, 0, &sb);
 *   if (fd == UTIL_NOT_REGULAR) ...	say it, and treat the file as corrupt
 */
#define UTIL_NOT_REGULAR (-2)
int util_open_regular(int dirfd, const char *path, int flags, mode_t mode, struct stat *sb);

/* Replace the file at path by buf (len bytes), mode `mode` whatever the
 * umask: a temporary file (made new: whatever sits at its name, a dead
 * writer's temp or a FIFO, is removed first, never opened) renamed into
 * place, so that a reader sees all or nothing. 0, or -1 with errno. */
int util_file_replace(const char *path, const void *buf, size_t len, mode_t mode);

/*
 * A book: a file of lines kept for the next process (symcache.c's o2-,
 * signature.c's s1-, decode_cache.c's d2- files), read whole and added to a
 * line at a time, each addition written whole (util_file_replace). Its text
 * starts in the caller's static buffer, no allocation for a small book, and
 * moves to the heap past it, up to UTIL_BOOK_MAX; only past that does an
 * addition start the book over (a book that started over when its buffer
 * was full had an object of a few hundred functions redo some every start).
 *   static struct { struct util_book b; char first[16384]; } book;
 *   util_book_read(&book.b, book.first, sizeof book.first, path);
 *   ... look for a line in book.b.text ...
 *   util_book_add(&book.b, path, line, strlen(line));
 */
#define UTIL_BOOK_MAX (4u << 20)
struct util_book {
	char *text;		/* NULL before the first read; then NUL-terminated */
	size_t len, cap;
	int heap;		/* text was allocated (else it is the caller's buffer) */
};
/* Reads the regular file at path into b, kept to its whole lines (a torn
 * file keeps what is whole); empty when it cannot be read. */
void util_book_read(struct util_book *b, char *first, size_t first_size, const char *path);
/* Adds line (len bytes, ending in a newline) and writes the book to path. */
void util_book_add(struct util_book *b, const char *path, const char *line, size_t len);

/* mkdirat(dirfd, path, mode), then the mode set exactly whatever the umask
 * (under umask 0777 a plain mkdir makes a folder its owner cannot use).
 * 0, or -1 with mkdir's errno (EEXIST included). */
int util_mkdirat(int dirfd, const char *path, mode_t mode);

/* A file or folder this user owns but cannot use at all, as one made under
 * umask 0777 (mode 000): when its mode lacks a bit of `need`, the owner is
 * given `give`. Only what cannot be used is touched: a folder its owner may
 * read but not write is taken as meant to be read-only, and kept.
 *   util_repair_mode(AT_FDCWD, dir, S_IRUSR | S_IXUSR, S_IRWXU, &was);
 * 1 repaired (*was: the mode it had, if was), 0 nothing to repair, -1 cannot
 * (EPERM: not this user's; or fstatat's or fchmodat's errno). A symbolic
 * link is left alone. */
int util_repair_mode(int dirfd, const char *path, mode_t need, mode_t give, mode_t *was);

/* A descriptor libmemo keeps between calls: a close-on-exec duplicate of fd
 * high in the range, where a program taking the lowest free number (as open,
 * socket and dup do) reaches last. The floor is 1000, or 7/8 of the soft
 * RLIMIT_NOFILE when that is lower: a number near a large limit (often 2^20)
 * would grow the kernel's descriptor table to that size. Under a soft limit
 * below 256 nothing is kept (-1): a program with so few descriptors may count
 * on each of them, so the caller opens per use, or goes without. fd itself is
 * left open. The duplicate, or -1 (errno set).
 *   int keep = util_fd_high(fd);	then close(fd), and before each use
 *   check that keep is still the file it was (fstat: st_dev, st_ino) */
int util_fd_high(int fd);
/* The number util_fd_high keeps descriptors at or above, or -1 (errno
 * EMFILE) under a soft RLIMIT_NOFILE below 256: keep nothing then. */
int util_fd_floor(void);

/* n bytes as du -h shows them, rounded up: "368K", "1.5G", "512" (under
 * 1 KiB), in binary units. */
void util_human_size(char *out, size_t cap, uint64_t n);

/* flock(fd, LOCK_EX) waiting at most wait_ms: sleeping retries (50 us
 * doubling to 5 ms), never a blocking flock that a stopped holder could make
 * endless. 0, or -1 (errno ETIMEDOUT when the wait ran out). */
int util_flock_bounded(int fd, int wait_ms);

/* May the n bytes at p be read without a fault? The page of the first byte
 * is taken as readable (the caller was handed a pointer into it): bytes
 * within it cost nothing, and only an array that runs past it is asked of
 * the kernel: from 4 MiB on, by one read of /proc/self/maps (readable
 * mappings, no gap); below, or without /proc, in one call of
 * madvise(MADV_POPULATE_READ), which refuses a range a read would fault on
 * (unmapped, PROT_NONE); before Linux 5.14, by process_vm_readv of one byte
 * a page. 1 readable, 0 not (or p + n wraps), -1 the kernel would not say
 * (process_vm_readv's ENOSYS, or EPERM under a seccomp filter).
 *   if (util_readable(buf, n) == 0) ...	hashing buf would crash */
int util_readable(const void *p, size_t n);

/* The loaded object whose mappings hold `addr` (its link_map), or NULL when
 * none does (unloaded). Asked of the loader's sorted table
 * (_dl_find_object), not of dladdr1, which also looks for the nearest
 * symbol: a walk of the whole symbol table, ~10 us in libc, per call.
 *   const struct link_map *lm = util_object_at(h->target); */
struct link_map;
struct link_map *util_object_at(const void *addr);

#endif
