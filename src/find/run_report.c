/*
 * run_report: the lines the processes of a `memo run` leave for it
 * (run_report.h has the format and who writes it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "find/run_report.h"

void run_report_line(int n, const char *const *fields)
{
	const char *path = getenv(RUN_REPORT_ENV);
	char small[2048], *line = small;
	size_t len = 0, cap = 1;
	int fd, saved = errno;

	if (!path || !*path)
		return;
	n = n < 4 ? n : 4;
	for (int i = 0; i < n; i++)
		cap += strlen(fields[i]) + 1;
	/* whole, a name of any length too: memo run compares them with the
	 * config's (start-up and exit, where allocating is fine) */
	if (cap > sizeof small && !(line = malloc(cap))) {
		errno = saved;
		return;
	}
	for (int i = 0; i < n; i++) {
		if (i)
			line[len++] = '\t';
		for (const char *s = fields[i]; *s; s++)
			line[len++] = *s == '\t' || *s == '\n' ? ' ' : *s;
	}
	line[len++] = '\n';
	/* one write to an O_APPEND file: lines of processes exiting together
	 * do not mix */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd >= 0) {
		if (write(fd, line, len) < 0) {
			/* the run's summary lacks this process: nothing else to do */
		}
		close(fd);
	}
	if (line != small)
		free(line);
	errno = saved;
}

int run_report_read(const char *path, void (*cb)(int n, char **fields, void *arg), void *arg)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		return -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *fields[4], *s = line;
		int n = 0;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		while (n < 4) {
			fields[n++] = s;
			if (n == 4 || !(s = strchr(s, '\t')))
				break;
			*s++ = '\0';
		}
		cb(n, fields, arg);
	}
	free(line);
	fclose(f);
	return 0;
}
