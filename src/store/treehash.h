/*
 * treehash: BLAKE2b over large buffers as a tree, on every core.
 * A buffer of at least TREEHASH_MIN bytes is cut into TREEHASH_CHUNK-byte
 * leaves; each leaf is hashed (BLAKE2b-256) by whichever of libmemo's own
 * worker threads or the caller takes it, and the root is BLAKE2b-256 over the
 * length and the leaf digests in order. The shape depends only on the length,
 * never on the number of threads, so every process and node gets the same
 * digest. Never libb2's blake2bp (Debian builds it with OpenMP, which changes
 * the host's OpenMP state and misbehaves inside the host's parallel regions).
 * Thread-safe; the pool starts on first use, and a forked child starts its
 * own. Allocates only for buffers over 256 leaves (64 MiB).
 * treehash_read reads the bytes from a file as it hashes them: each leaf
 * is read by whoever hashes it, and hashed while in cache.
 */
#ifndef MEMO_TREEHASH_H
#define MEMO_TREEHASH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TREEHASH_MIN (1u << 20)
#define TREEHASH_CHUNK (256u << 10)

void treehash(const void *data, size_t len, uint8_t out[32]);

/* Read len bytes of fd from offset `from` into dst, and put their root (as
 * treehash gives it for dst's bytes) in out. 0, or -1 with errno when a
 * read fails (EIO: the file ends before len bytes); dst's contents are
 * then undefined. */
int treehash_read(int fd, off_t from, void *dst, size_t len, uint8_t out[32]);

/* In the child after fork: the parent's workers do not exist here. */
void treehash_after_fork(void);

#endif
