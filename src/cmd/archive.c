/*
 * archive: `memo export`'s file (archive.h has the format).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/archive.h"
#include "store/key.h"

/* A value larger than this is no entry libmemo wrote (the folder's values
 * are bounded by max_size): the length is refused before it is allocated. */
#define ARCHIVE_MAX_VALUE (1ull << 32)

int archive_begin(FILE *f)
{
	return fprintf(f, "memo-archive 1\nkeys %u\n", KEY_FORMAT_VERSION) < 0 ? -1 : 0;
}

int archive_entry(FILE *f, const char *key, const void *val, size_t len)
{
	if (fprintf(f, "entry %s %zu\n", key, len) < 0 || fwrite(val, 1, len, f) != len ||
	    fputc('\n', f) == EOF)
		return -1;
	return 0;
}

int archive_end(FILE *f, uint64_t count)
{
	return fprintf(f, "end %" PRIu64 "\n", count) < 0 ? -1 : 0;
}

/* One header line into line[cap], without its newline: 0, or -1 at the end
 * of the file or for a line too long. */
static int read_line(FILE *f, char *line, size_t cap)
{
	if (!fgets(line, (int)cap, f))
		return -1;
	size_t n = strlen(line);
	if (!n || line[n - 1] != '\n')
		return -1;
	line[n - 1] = '\0';
	return 0;
}

int archive_read(const char *path, int (*fn)(void *ctx, const char *key, const void *val,
					      size_t len), void *ctx, char *why, size_t whylen)
{
	FILE *f = fopen(path, "rbe");
	char line[128], key[KEY_TEXT_MAX];
	uint64_t count = 0, said;
	unsigned long long len;
	unsigned keys;
	void *val = NULL;
	int r = -1, n;

	if (!f) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (read_line(f, line, sizeof line) < 0 || strcmp(line, "memo-archive 1")) {
		snprintf(why, whylen, "not a memo archive (no 'memo-archive 1' line first)");
		goto out;
	}
	/* The entries' key format: none said before format 2, whose keys no
	 * lookup of this build would find. */
	if (read_line(f, line, sizeof line) < 0) {
		snprintf(why, whylen, "cut at byte %ld: no 'end' line", ftell(f));
		goto out;
	}
	if (sscanf(line, "keys %u%n", &keys, &n) != 1 || line[n])
		keys = 1;
	if (keys != KEY_FORMAT_VERSION) {
		snprintf(why, whylen, "its entries' keys are of format %u, this build's of format %u "
			 "(libmemo was upgraded): none would ever be found; import it with a build of "
			 "format %u, or let this one compute the results again", keys,
			 KEY_FORMAT_VERSION, keys);
		goto out;
	}
	for (;;) {
		long at = ftell(f);

		if (read_line(f, line, sizeof line) < 0) {
			snprintf(why, whylen, "cut at byte %ld: no 'end' line", at);
			goto out;
		}
		if (sscanf(line, "end %" SCNu64 "%n", &said, &n) == 1 && !line[n]) {
			if (said != count)
				snprintf(why, whylen, "its end says %" PRIu64 " entries, it holds %" PRIu64,
					 said, count);
			else
				r = 0;
			goto out;
		}
		if (sscanf(line, "entry %71s %llu%n", key, &len, &n) != 2 || line[n] ||
		    len > ARCHIVE_MAX_VALUE) {
			snprintf(why, whylen, "malformed line at byte %ld", at);
			goto out;
		}
		free(val);
		val = malloc(len ? len : 1);
		if (!val || fread(val, 1, len, f) != len || fgetc(f) != '\n') {
			snprintf(why, whylen, "cut at byte %ld: entry '%s' lacks bytes", at, key);
			goto out;
		}
		count++;
		if ((r = fn(ctx, key, val, len)) != 0)
			goto out;
		r = -1;
	}
out:
	free(val);
	fclose(f);
	return r;
}
