/*
 * symcache: see symcache.h. One file per object file, "o2-HEX" in the
 * identity folder, a line per name:
 *   NAME \t VERSION \t ABSENT \t VALUE \t TYPE \t GLOBAL \t SIZE \t COLD \t COLD_SIZE CHECK
 * (numbers in hex; CHECK the line's own, base/line_check.h: a digit of VALUE
 * changed on disk would patch another function). The last file read is kept
 * in memory.
 */
#include "find/symcache.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/line_check.h"
#include "base/util.h"
#include "find/identity.h"
#include "base/b2.h"

/* The last fact file read (or written), whole (util.h's book). */
static struct {
	char path[PATH_MAX + 64];
	struct util_book b;
	char first[65536];
} book;

/* The cache file of the object file at `path` as *st; -1 when there is no
 * folder libmemo may write into. */
static int book_path(const char *path, const struct stat *st, char *out, size_t n)
{
	const char *dir = identity_get_cache_dir();
	uint64_t id[5] = { st->st_dev, st->st_ino, (uint64_t)st->st_size,
			   (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec };
	uint8_t digest[16];
	char hex[33];
	blake2b_state s;

	if (!dir[0])
		return -1;
	b2_init(&s, sizeof digest);
	b2_update(&s, (const uint8_t *)path, strlen(path) + 1);
	b2_update(&s, (const uint8_t *)id, sizeof id);
	b2_final(&s, digest, sizeof digest);
	util_hex(hex, digest, sizeof digest);
	return (size_t)snprintf(out, n, "%s/o2-%s", dir, hex) < n ? 0 : -1;
}

static void book_load(const char *path)
{
	if (!strcmp(book.path, path))
		return;
	snprintf(book.path, sizeof book.path, "%s", path);
	util_book_read(&book.b, book.first, sizeof book.first, path);
}

/* A name or version a line can hold: no tab, no newline, not too long. */
static bool writable(const char *s)
{
	return strlen(s) < 1024 && !strpbrk(s, "\t\n");
}

int symcache_get(const char *path, const struct stat *st, const char *name, const char *version,
		 struct sym_fact *f)
{
	char file[PATH_MAX + 64], head[2100];
	const char *line, *eol;
	size_t text_len;
	int n;

	if (!writable(name) || !writable(version) || book_path(path, st, file, sizeof file) < 0)
		return 0;
	book_load(file);
	n = snprintf(head, sizeof head, "%s\t%s\t", name, version);
	/* a damaged line is passed over: a later one may be whole */
	for (line = book.b.text; line && (eol = strchr(line, '\n')); line = eol + 1) {
		unsigned absent, global, type;
		int end = 0;

		if (strncmp(line, head, (size_t)n) ||
		    !line_check_ok(line, (size_t)(eol - line), &text_len))
			continue;
		*f = (struct sym_fact){ 0 };
		if (sscanf(line + n, "%x\t%" SCNx64 "\t%x\t%x\t%" SCNx64 "\t%" SCNx64 "\t%" SCNx64 "%n",
			   &absent, &f->value, &type, &global, &f->size, &f->cold, &f->cold_size,
			   &end) != 7 || line + n + end != line + text_len)
			continue;
		f->absent = absent;
		f->type = type;
		f->global = global;
		return 1;
	}
	return 0;
}

void symcache_put(const char *path, const struct stat *st, const char *name, const char *version,
		  const struct sym_fact *f)
{
	char file[PATH_MAX + 64], line[2300];
	size_t len;

	if (!writable(name) || !writable(version) || book_path(path, st, file, sizeof file) < 0)
		return;
	book_load(file);
	len = (size_t)snprintf(line, sizeof line, "%s\t%s\t%x\t%" PRIx64 "\t%x\t%x\t%" PRIx64
			       "\t%" PRIx64 "\t%" PRIx64, name, version, f->absent, f->value,
			       (unsigned)f->type, f->global, f->size, f->cold, f->cold_size);
	if (len >= sizeof line || !(len = line_check_seal(line, len, sizeof line)))
		return;
	util_book_add(&book.b, file, line, len);
}
