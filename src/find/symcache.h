/*
 * symcache: what symbols.c learnt of a name in an object's .symtab, kept in
 * the identity cache folder, so that the next process finds it without
 * building an ELF image (a program with 30,000 symbols: ~8 ms a start).
 * Keyed by the file (path, device, inode, size, mtime: a rebuilt or
 * replaced file is another key, never a stale fact) and by the name and
 * version asked. Only successes and absences are kept; a refusal is found
 * again from the image, with its message.
 * Calls identity (the folder), BLAKE2b, open/read/rename. Start-up and
 * dlopen only, under runtime_lock.
 */
#ifndef MEMO_SYMCACHE_H
#define MEMO_SYMCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct sym_fact {
	bool absent;		/* the file defines no such symbol */
	uint64_t value;		/* its st_value */
	int type;		/* STT_FUNC, STT_GNU_IFUNC ... */
	bool global;		/* not STB_LOCAL */
	/* the function's extent as inline.c checks it: the size of the symbol
	 * at `value`, and its NAME.cold part; size 0: not known */
	uint64_t size, cold, cold_size;
};

/* The fact kept for `name` (and `version`, "" for none) in the file at
 * `path`, which is *st now: 1 found into *f, 0 none. */
int symcache_get(const char *path, const struct stat *st, const char *name, const char *version,
		 struct sym_fact *f);

/* Keep a fact for the next process (written whole to a temporary file
 * renamed into place; one that cannot be written is found again). */
void symcache_put(const char *path, const struct stat *st, const char *name, const char *version,
		  const struct sym_fact *f);

#endif
