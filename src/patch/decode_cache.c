/*
 * decode_cache: see decode_cache.h. One file per object file, "d2-HEX" in
 * the identity folder, a line per plan:
 *   KEY N LEN,KIND,FIELD,SIZE,CC LEN,KIND,FIELD,SIZE,CC ... CHECK
 * (KEY 32 hex digits; then decimal, one group per displaced instruction;
 * CHECK the line's own, base/line_check.h: a digit changed on disk could
 * still add up, and would move the wrong bytes). The last file read is kept
 * in memory.
 */
#include "patch/decode_cache.h"

#include <Zydis/Zydis.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/line_check.h"
#include "base/util.h"
#include "find/identity.h"
#include "base/b2.h"

/* The plans of the object file last asked about, read whole (util.h's
 * book). Small fields first and the text right after them, with no path
 * buffer between: a start with one object's plans writes one page of this. */
static struct {
	uint64_t key[6];	/* its device, inode, size, mtime (s, ns) and a hash of its path */
	char hex[3 + 33];	/* its plan file's name, d2-HEX */
	struct util_book b;
	char first[16384];	/* ~250 plans; more go to the heap */
} book;

/* FNV-1a: which path the book is for, without a copy of it (a book read
 * for another path to the same file holds plans keyed by their bytes: no
 * harm, and no such pair is ever asked in turn). */
static uint64_t path_hash(const char *s)
{
	uint64_t v = 0xcbf29ce484222325ull;

	while (*s)
		v = (v ^ (uint8_t)*s++) * 0x100000001b3ull;
	return v;
}

/* The plan file of h's object file (as activate.c stat'ed it) into `out`,
 * its plans in book; -1 when there is no folder, or no such facts (`memo
 * inspect`). */
static int book_select(const struct hook *h, char *out, size_t n)
{
	const struct stat *st = &h->file;
	const char *dir = identity_get_cache_dir();
	uint64_t key[6] = { st->st_dev, st->st_ino, (uint64_t)st->st_size,
			    (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec, 0 };
	bool same;

	if (!dir[0] || !st->st_ino || !h->path[0])
		return -1;
	key[5] = path_hash(h->path);
	same = book.hex[3] && !memcmp(key, book.key, sizeof key);
	if (!same) {
		uint8_t digest[16];
		blake2b_state s;

		b2_init(&s, sizeof digest);
		b2_update(&s, (const uint8_t *)h->path, strlen(h->path) + 1);
		b2_update(&s, (const uint8_t *)key, 5 * sizeof key[0]);
		b2_final(&s, digest, sizeof digest);
		memcpy(book.hex, "d2-", 3);
		util_hex(book.hex + 3, digest, sizeof digest);
		memcpy(book.key, key, sizeof key);
	}
	if (util_path_in(out, n, dir, book.hex) < 0) {
		book.hex[3] = '\0';
		return -1;
	}
	if (!same)
		util_book_read(&book.b, book.first, sizeof book.first, out);
	return 0;
}

/* A decimal number at *p, at most max, moving *p past it; -1 when none. */
static long number(const char **p, long max)
{
	long v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9' && v <= max)
		v = v * 10 + *(*p)++ - '0';
	return v <= max ? v : -1;
}

/* The plan in p[0..end) into *e: 0, or -1 when it is not one this code
 * would have written (a damaged file is a miss, never a wrong trampoline). */
static int parse(const char *p, const char *end, struct x86_entry *e)
{
	int sum = 0;

	e->n = (int)number(&p, 255);
	e->ninsn = 0;
	while (p < end && *p == ' ') {
		long v[5];
		struct x86_insn *in;

		if (e->ninsn == X86_MAX_DISPLACED)
			return -1;
		p++;
		for (int i = 0; i < 5; i++)
			if ((v[i] = number(&p, 255)) < 0 || (i < 4 && *p++ != ','))
				return -1;
		if (v[0] < 1 || v[0] > 15 || v[1] >= X86_BAD || v[4] > 15 ||
		    (v[1] != X86_COPY && v[3] != 1 && v[3] != 2 && v[3] != 4) ||
		    (v[1] == X86_RIPREL && v[3] != 4) || v[2] + v[3] > v[0])
			return -1;
		in = &e->insn[e->ninsn++];
		*in = (struct x86_insn){ .len = (uint8_t)v[0], .kind = (uint8_t)v[1],
					 .field = (uint8_t)v[2], .size = (uint8_t)v[3],
					 .cc = (uint8_t)v[4] };
		sum += in->len;
	}
	return p == end && e->ninsn && sum == e->n && e->n >= 5 ? 0 : -1;
}

int decode_cache_get(const struct hook *h, uintptr_t lo, size_t size, uintptr_t cold,
		     size_t cold_size, uintptr_t at, struct decode_key *k, struct x86_entry *e)
{
	static const char tag[] = "memo-decode 1";
	uint64_t facts[5] = { ZYDIS_VERSION, at - lo, size, cold_size ? cold - lo : 0, cold_size };
	char file[PATH_MAX + 64], hex[33];
	const char *line, *eol;
	size_t text_len;
	blake2b_state s;

	k->usable = book_select(h, file, sizeof file) == 0;
	if (!k->usable)
		return 0;
	b2_init(&s, sizeof k->hash);
	b2_update(&s, (const uint8_t *)tag, sizeof tag);
	b2_update(&s, (const uint8_t *)facts, sizeof facts);
	b2_update(&s, (const uint8_t *)lo, size);
	if (cold_size)
		b2_update(&s, (const uint8_t *)cold, cold_size);
	b2_final(&s, k->hash, sizeof k->hash);
	util_hex(hex, k->hash, sizeof k->hash);
	/* a damaged line is passed over: a later one may be whole */
	for (line = book.b.text; line && (eol = strchr(line, '\n')); line = eol + 1)
		if (!strncmp(line, hex, 32) && line[32] == ' ' &&
		    line_check_ok(line, (size_t)(eol - line), &text_len) && text_len > 33 &&
		    parse(line + 33, line + text_len, e) == 0)
			return 1;
	return 0;
}

void decode_cache_put(const struct hook *h, const struct decode_key *k, const struct x86_entry *e)
{
	char file[PATH_MAX + 64], line[64 + 24 * X86_MAX_DISPLACED + LINE_CHECK_BYTES];
	int len, i;

	if (!k->usable || book_select(h, file, sizeof file) < 0)
		return;
	for (i = 0; i < e->ninsn; i++)
		if (e->insn[i].kind == X86_BAD)
			return;
	util_hex(line, k->hash, sizeof k->hash);
	len = 32 + snprintf(line + 32, sizeof line - 32, " %d", e->n);
	for (i = 0; i < e->ninsn; i++) {
		const struct x86_insn *in = &e->insn[i];
		len += snprintf(line + len, sizeof line - (size_t)len, " %u,%u,%u,%u,%u", in->len,
				in->kind, in->field, in->size, in->cc);
	}
	len = (int)line_check_seal(line, (size_t)len, sizeof line);
	if (len)
		util_book_add(&book.b, file, line, (size_t)len);
}
