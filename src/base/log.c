#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
	errno = saved;
}

int env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}
