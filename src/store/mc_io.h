/*
 * mc_io: libmemcached's system calls on its sockets, caught in its own GOT
 * (libmemcached has no hook for them), for three guarantees it cannot give:
 *  - descriptors: each socket it opens for libmemo is moved high in the
 *    range (util_fd_high) and recorded (st_dev, st_ino); before an
 *    operation mc_io_begin checks each record against its number when the
 *    program may have changed it (base/fdwatch.h: a close, dup2... through
 *    libc, a dlopen, or an object that may make raw system calls), and a
 *    number the program closed and reused is dropped: from then on no call
 *    libmemcached makes on it (send, recv, poll, shutdown, close...) reaches
 *    the kernel, so the program's file is never read, written or closed;
 *  - a deadline: every poll is cut to what is left of the request's total
 *    time (from its start, or from its first wait: mc_io_deadline), so a
 *    server that answers one byte at a time costs timeout_ms, not
 *    timeout_ms a byte;
 *  - lengths: on the text protocol, a VALUE line whose length is not a
 *    number below MC_VALUE_MAX (`VALUE k 0 -2`, which libmemcached's
 *    arithmetic wraps into a write before its buffer) fails the read that
 *    completes it, before libmemcached parses it.
 * Only a thread inside mc_io_begin/mc_io_end is affected: libmemcached used
 * by the program itself, or by `memo stats`'s own handles, goes straight to
 * libc. Calls libc, util, log, elf_peek. Per thread, no lock, no allocation;
 * after fork a handle's records go with its handle.
 */
#ifndef MEMO_MC_IO_H
#define MEMO_MC_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The largest item any memcached holds, its header and key included: it
 * refuses an item size (-I) above 1 GiB. Every value it sends is shorter; a
 * reply announcing this much or more is broken or hostile. */
#define MC_VALUE_MAX (1U << 30)
#define MC_IO_MAX_SOCKS 72	/* a handle's servers (64) and a few in closing */

/* What a VALUE line's reader has seen of one socket's stream. */
struct mc_io_stream {
	uint64_t left;		/* bytes of a value still to come, its \r\n included */
	uint64_t len;		/* the length field so far */
	uint8_t state;		/* enum in mc_io.c */
	uint8_t matched;	/* bytes of "VALUE " matched at a line's start */
	uint8_t field;		/* 0 key, 1 flags, 2 length, 3 cas */
	bool bad;		/* the length field is not a number below MC_VALUE_MAX */
};

struct mc_io_sock {
	int fd;
	dev_t dev;
	ino_t ino;
	struct mc_io_stream in;
};

/* One thread's sockets and its current deadline; inside its mc_thread. */
struct mc_io {
	int nsocks;
	struct mc_io_sock socks[MC_IO_MAX_SOCKS];
	uint64_t deadline;	/* CLOCK_MONOTONIC ns; 0: from the first wait */
	uint64_t timeout;	/* the request's allowance (mc_io_deadline) */
	uint64_t connect_ns;	/* added to the deadline by each connection made */
	uint64_t epoch;		/* the fdwatch epoch when the sockets were last checked */
	bool text;		/* the text protocol: VALUE lines are read */
	bool low;		/* a socket could not be moved high: quit after the operation */
	bool bad_length;	/* a VALUE line was refused since mc_io_begin */
	bool made;		/* a connection was made since the last deadline set */
};

/* Route libmemcached's socket calls through mc_io, once per process. false
 * (said once) when its GOT slots cannot be found: it then runs as before. */
bool mc_io_install(void);

/* Enter an operation on this thread, with a request whose deadline is set
 * as mc_io_deadline's. Returns true when a socket was found no longer ours
 * (closed, or its number reused): the caller then quits the handle
 * (memcached_quit), which mc_io keeps off that number, and libmemcached
 * connects again. */
bool mc_io_begin(struct mc_io *io, uint64_t timeout_ns, uint64_t now);

/* A new request within the operation (and `made` is cleared): its deadline
 * is timeout_ns from now, the clock's time the caller read, or with now 0
 * from its first wait, where the clock is read then. Every wait is a poll
 * (the sockets do not block): what runs before the first is the request's
 * sending, and most replies of a near server are there before any wait,
 * so most requests read no clock. */
void mc_io_deadline(struct mc_io *io, uint64_t timeout_ns, uint64_t now);

/* Leave the operation. */
void mc_io_end(struct mc_io *io);

#endif
