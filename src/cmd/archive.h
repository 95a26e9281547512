/*
 * archive: the file `memo export` writes and `memo import` reads: entries
 * of a cache, each with the check or MAC it was stored with, so that the
 * importer verifies each one as a lookup would (value.h). The format, this
 * file's alone:
 *
 *     memo-archive 1\n
 *     keys FORMAT\n             the entries' key format (KEY_FORMAT_VERSION);
 *                               none before format 2: format 1, refused
 *     entry KEY LENGTH\n        KEY: the entry's key text (m1-...), LENGTH
 *     <LENGTH bytes: the value as stored>\n         in decimal
 *     ...
 *     end COUNT\n               the number of entries: a cut archive is refused
 *
 * Nothing in the archive is trusted: each value carries its own check, over
 * its key and bytes (a MAC under a secret), and the reader bounds every
 * length. The memo command only (allocates, blocks); calls libc.
 */
#ifndef MEMO_ARCHIVE_H
#define MEMO_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Start an archive on f. */
int archive_begin(FILE *f);
/* One entry. 0, or -1 (a write error; errno). */
int archive_entry(FILE *f, const char *key, const void *val, size_t len);
/* The end line, with how many entries were written. */
int archive_end(FILE *f, uint64_t count);

/* Read the archive at `path`, calling fn for each entry (a nonzero return
 * stops the reading and is returned). 0 when the whole archive was read;
 * -1 when it is not one, or is cut or malformed: why[] says what, and
 * where (byte offset), and fn may already have seen its first entries. */
int archive_read(const char *path, int (*fn)(void *ctx, const char *key, const void *val,
					      size_t len), void *ctx, char *why, size_t whylen);

#endif
