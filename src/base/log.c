#include "base/log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Written once by log_init before any other thread exists; read everywhere. */
static int log_threshold = LOG_WARN;

void log_init(void)
{
	const char *v = getenv("MEMO_LOG");
	if (!v || !*v)
		return;
	if (!strcmp(v, "error"))
		log_threshold = LOG_ERROR;
	else if (!strcmp(v, "warn") || !strcmp(v, "warning"))
		log_threshold = LOG_WARN;
	else if (!strcmp(v, "info"))
		log_threshold = LOG_INFO;
	else if (!strcmp(v, "debug"))
		log_threshold = LOG_DEBUG;
	else
		log_msg(LOG_WARN, "unknown MEMO_LOG '%s' (use error, warn, info or debug)", v);
}

/* Written once by log_keep_stderr, at the engine's start-up, before any other
 * thread of libmemo's; read by log_stderr_fd. */
static struct {
	bool recorded;		/* false: fd 2 is used as it is */
	bool had;		/* fd 2 was open at start-up */
	int fd;			/* the high duplicate, or -1 */
	dev_t dev;
	ino_t ino;
} kept = { .fd = -1 };

void log_keep_stderr(int keep)
{
	struct stat sb;

	kept.recorded = true;
	kept.had = fstat(STDERR_FILENO, &sb) == 0;
	kept.dev = sb.st_dev;
	kept.ino = sb.st_ino;
	kept.fd = kept.had ? keep : -1;
	if (keep >= 0 && !kept.had)
		close(keep);
}

void log_state_get(struct log_state *s)
{
	*s = (struct log_state){ log_threshold, kept.recorded, kept.had, kept.fd, kept.dev,
				 kept.ino };
}

void log_state_set(const struct log_state *s)
{
	log_threshold = s->threshold;
	kept.recorded = s->recorded;
	kept.had = s->had;
	kept.fd = s->fd;
	kept.dev = s->dev;
	kept.ino = s->ino;
}

static bool is_kept_file(int fd)
{
	struct stat sb;

	return fd >= 0 && fstat(fd, &sb) == 0 && sb.st_dev == kept.dev && sb.st_ino == kept.ino;
}

int log_stderr_fd(void)
{
	if (!kept.recorded)
		return STDERR_FILENO;
	if (!kept.had)
		return -1;
	/* If the program closed the duplicate and the number came back as
	 * another file, that file is the program's: not ours to write. */
	if (is_kept_file(kept.fd))
		return kept.fd;
	return is_kept_file(STDERR_FILENO) ? STDERR_FILENO : -1;
}

static int log_enabled(enum log_level level)
{
	return (int)level <= log_threshold;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char line[2048];
	int saved = errno;
	int n, m;
	va_list ap;

	if (!log_enabled(level))
		return;
	n = snprintf(line, sizeof line, "libmemo: %s", prefix[level]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	int fd = log_stderr_fd();
	if (fd >= 0) {
		ssize_t w = write(fd, line, n);
		(void)w;
	}
	errno = saved;
}

int env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}
