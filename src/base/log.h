/*
 * log: libmemo's only voice on stderr.
 * Owns the verbosity (MEMO_LOG, read once by log_init) and the "libmemo: "
 * prefix. Safe from any thread and after fork; never allocates (formats into a
 * stack buffer and writes it with one write(2), so lines from threads do not mix).
 * Saves and restores errno, so callers on the hot path need not.
 */
#ifndef MEMO_LOG_H
#define MEMO_LOG_H

#include <stdbool.h>
#include <sys/types.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Reads MEMO_LOG (error, warn, info, debug; default warn). */
void log_init(void);

/*
 * The stderr the process started with, for the engine (boot/engine.c, at
 * start-up, single-threaded): records fd 2's file (st_dev, st_ino) and keeps
 * `keep`, a high duplicate of it (util_fd_high) or -1. From then on messages
 * and the stats table (log_stderr_fd) go to that file or nowhere: a daemon
 * that closed fd 2 and opened a data file in its place never gets libmemo's
 * text in it. Without log_keep_stderr (the preload's start-up, the memo
 * command) fd 2 is used as it is.
 */
void log_keep_stderr(int keep);

/* The voice's settings: MEMO_LOG's level and the kept stderr. An object
 * with its own copy of this file (libmemo-memcached.so) is handed the
 * engine's (log_state_get there, log_state_set here), or its messages would
 * go to whatever fd 2 is by then: a daemon's data file. */
struct log_state {
	int threshold;
	bool recorded, had;	/* log_keep_stderr ran; fd 2 was open then */
	int fd;			/* the kept duplicate, or -1 */
	dev_t dev;
	ino_t ino;
};
void log_state_get(struct log_state *s);
void log_state_set(const struct log_state *s);

/* Where libmemo's text goes now: the kept duplicate if it is still the
 * recorded file, else fd 2 if it is, else -1 (nowhere). One fstat or two. */
int log_stderr_fd(void);

/* "libmemo: error: 'simulate': ..." — lowercase, subject in quotes, no full stop. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A MEMO_* flag: set, non-empty and not "0". */
int env_flag(const char *name);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
