/*
 * records: the records libmemo keeps besides results (records.h): their
 * keys, their encodings and the file of the explain history.
 */
#include "store/records.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "base/b2.h"

#define GENERATION_TAG RECORDS_GENERATION_TAG
#define EXPLAIN_TAG "x1"
#define EXPLAIN_HEADER "memo-explain 1\n"
#define EXPLAIN_FILE_MAX (1u << 20)
#define RECORD_HASH_HEX 24	/* of a record key: 96 bits, no collision in practice */

_Static_assert(sizeof RECORDS_LEASE_PREFIX - 1 + 2 * KEY_HASH_BYTES < KEY_TEXT_MAX,
	       "a lease key does not fit in a memo_key");

/* "<tag>-" + 24 hex digits of BLAKE2b-256(namespace ‖ NUL ‖ name). */
/* The name is the text of its n parts, one after the other: hashed as
 * they lie, whatever their length (a C++ function's name). */
static void record_key_parts(struct memo_key *k, const char *tag, const char *namespace_,
			     const char *const *part, int n)
{
	blake2b_state s;
	size_t t = strlen(tag);

	b2_init(&s, KEY_HASH_BYTES);
	b2_update(&s, (const uint8_t *)namespace_, strlen(namespace_) + 1);
	for (int i = 0; i < n; i++)
		b2_update(&s, (const uint8_t *)part[i], strlen(part[i]));
	b2_final(&s, k->hash, KEY_HASH_BYTES);
	memcpy(k->text, tag, t);
	k->text[t] = '-';
	util_hex(k->text + t + 1, k->hash, RECORD_HASH_HEX / 2);
	k->textlen = t + 1 + RECORD_HASH_HEX;
}

static void record_key(struct memo_key *k, const char *tag, const char *namespace_,
		       const char *name)
{
	record_key_parts(k, tag, namespace_, &name, 1);
}

/* ---- files in the identity cache folder -------------------------------- */

/* A record kept by this node: a file named by its key in the identity cache
 * folder (prime.c vetted it). -1 when there is none. */
static int record_path(const struct memo_key *k, char *path, size_t n)
{
	const char *dir = identity_get_cache_dir();

	return *dir && (size_t)snprintf(path, n, "%s/%s", dir, k->text) < n ? 0 : -1;
}

/* ---- flush generation ------------------------------------------------
 *
 * A generation record is "GEN SEQ" (decimal): the random generation and a
 * count of flushes, which orders them ("GEN" alone, as earlier versions
 * wrote it, is SEQ 0). A store with several servers keeps it on up to
 * GENERATION_REPLICAS of them, so that a server restarting empty does not
 * take a flush with it: a reader goes by the highest (SEQ, GEN) any replica
 * holds and writes it back where it is missing or older; a flush writes
 * every replica that answers. Only when every replica is lost at once is a
 * flush forgotten, except on the nodes that keep a copy (README).
 */

#define GENERATION_REPLICAS 3
#define REPLICA_NAMES 32	/* "-r1" .. "-r31": suffixes tried for other servers */

struct generation {
	uint64_t gen, seq;
};

struct replica {
	struct memo_key k;
	int r;			/* generation_get's result */
	struct generation g;	/* when r == STORE_HIT */
	uint64_t token;
};

/* Whether a is later than b: more flushes, or as many (two flushes raced)
 * and the larger number, so that every reader picks the same one. */
static bool generation_later(struct generation a, struct generation b)
{
	return a.seq != b.seq ? a.seq > b.seq : a.gen > b.gen;
}

static int generation_parse(const char *text, struct generation *g)
{
	char *end;

	g->seq = 0;
	g->gen = strtoull(text, &end, 10);
	if (end == text)
		return -1;
	if (*end == ' ')
		g->seq = strtoull(end + 1, &end, 10);
	return *end ? -1 : 0;
}

/* The replicas' keys into rp: the record's own key (one server, a folder,
 * and earlier versions keep it there), then "<key>-rN" keys that land on
 * other servers, as many as there are (at most GENERATION_REPLICAS).
 * Their number. */
static int replica_keys(struct store *s, const struct memo_key *k, struct replica *rp)
{
	unsigned used;
	int n = 1, i;

	rp[0].k = *k;
	if (!s->ops->server_of)
		return 1;
	used = 1u << store_server_of(s, k);
	for (i = 1; i < REPLICA_NAMES && n < GENERATION_REPLICAS; i++) {
		struct memo_key c = *k;
		int len = snprintf(c.text + c.textlen, sizeof c.text - c.textlen, "-r%d", i);
		unsigned bit;

		c.textlen += (uint8_t)len;
		bit = 1u << store_server_of(s, &c);
		if (used & bit)
			continue;
		used |= bit;
		rp[n++].k = c;
	}
	return n;
}

/* A generation record as the store's shared layer has it (gets: a folder
 * in front of memcached holds no copy that could be stale, store.c), with a
 * token for a cas. STORE_HIT or STORE_MISS: known; below 0: the store did
 * not answer, or the record is not one. */
static int generation_get(struct store *s, struct replica *rp, struct memo_stats *st)
{
	uint8_t space[48];
	struct membuf b;
	int r;

	membuf_init(&b, space, sizeof space - 1);
	r = s->ops->gets(s, &rp->k, &b, &rp->token, st);
	if (r == STORE_HIT) {
		if (b.len == 0 || b.len >= sizeof space)
			r = STORE_ERROR;
		else {
			b.data[b.len] = '\0';
			if (generation_parse((char *)b.data, &rp->g) < 0)
				r = STORE_ERROR;
		}
	}
	membuf_release(&b);
	rp->r = r == STORE_HIT || r == STORE_MISS ? r : STORE_ERROR;
	if (rp->r != STORE_HIT)
		rp->token = 0;
	return rp->r;
}

/* Read every replica; the latest one found into *best. How many answered;
 * *found whether any held a record. */
static int generation_get_all(struct store *s, struct replica *rp, int n,
			      struct generation *best, bool *found, struct memo_stats *st)
{
	int answered = 0, i;

	*found = false;
	for (i = 0; i < n; i++) {
		if (generation_get(s, &rp[i], st) < 0)
			continue;
		answered++;
		if (rp[i].r == STORE_HIT && (!*found || generation_later(rp[i].g, *best))) {
			*best = rp[i].g;
			*found = true;
		}
	}
	return answered;
}

/* A fresh generation: random, never 0 (never flushed) and never `old`.
 * Random rather than counted, so that no two flushes, in any cache, give
 * the same number. */
static uint64_t generation_fresh(uint64_t old)
{
	uint64_t g = 0;

	while (g == 0 || g == old)
		if (getrandom(&g, sizeof g, 0) != sizeof g)
			g = util_now_ns() ^ ((uint64_t)getpid() << 32) ^ ~old;
	return g;
}

/* Replace the replica read (its token; 0: none) by g, by cas: acknowledged,
 * where a set could be noreply (store_memcached.c) and a write lost on its
 * way (a proxy drops what a client sent just before it closed) would leave
 * every old entry served. The store's result. */
static int generation_put(struct store *s, const struct replica *rp, struct generation g,
			  struct memo_stats *st)
{
	char text[48];
	int n = snprintf(text, sizeof text, "%llu %llu", (unsigned long long)g.gen,
			 (unsigned long long)g.seq);

	return s->ops->cas(s, &rp->k, text, (size_t)n, rp->token, st);
}

/* Write g back to the replicas that answered without it (missing, or an
 * older one). How many took it. */
static int generation_spread(struct store *s, struct replica *rp, int n, struct generation g,
			     struct memo_stats *st)
{
	int took = 0, i;

	for (i = 0; i < n; i++) {
		if (rp[i].r < 0)
			continue;
		if (rp[i].r == STORE_HIT && !generation_later(g, rp[i].g)) {
			took++;
			continue;
		}
		if (generation_put(s, &rp[i], g, st) >= 0)
			took++;
	}
	return took;
}

/* This node's copy of the generation it last read ("g1-..." in the identity
 * cache folder, as a record's text): what a call goes by while the servers
 * holding the record do not answer, said by prime.c. */
static int generation_copy_load(const struct memo_key *k, struct generation *g)
{
	char path[PATH_MAX + KEY_TEXT_MAX], text[48];
	struct stat sb;
	ssize_t got;
	int fd;

	if (record_path(k, path, sizeof path) < 0)
		return -1;
	fd = util_open_regular(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW, 0, &sb);
	if (fd < 0)
		return -1;
	got = read(fd, text, sizeof text - 1);
	close(fd);
	if (got <= 0)
		return -1;
	text[got] = '\0';
	return generation_parse(text, g);
}

static void generation_copy_save(const struct memo_key *k, struct generation g)
{
	char path[PATH_MAX + KEY_TEXT_MAX], text[48];
	struct generation had;
	int n;

	if (record_path(k, path, sizeof path) < 0 ||
	    (generation_copy_load(k, &had) == 0 && had.gen == g.gen && had.seq == g.seq))
		return;
	n = snprintf(text, sizeof text, "%llu %llu", (unsigned long long)g.gen,
		     (unsigned long long)g.seq);
	if (util_file_replace(path, text, (size_t)n, 0600) < 0)
		log_debug("cannot keep the flush generation in '%s': %m", path);
}

int records_generation_read(struct store *s, const char *namespace_, const char *symbol,
			    uint64_t *generation, bool *from_copy, struct memo_stats *st)
{
	struct replica rp[GENERATION_REPLICAS];
	struct generation best, copy;
	struct memo_key k;
	bool found;
	int n, tries;

	*from_copy = false;
	record_key(&k, GENERATION_TAG, namespace_, symbol);
	n = replica_keys(s, &k, rp);
	for (tries = 0; tries < 8; tries++) {
		if (generation_get_all(s, rp, n, &best, &found, st) == 0)
			break;
		if (found) {
			generation_spread(s, rp, n, best, st);	/* a replica lost, or behind */
			generation_copy_save(&k, best);
			*generation = best.gen;
			return 0;
		}
		/* No replica that answered has a record: never flushed (0, the
		 * same in every cache, so that caches can be shared), or lost
		 * with every server holding one after a flush. This node's copy
		 * tells the second: it is written back, or the entries from
		 * before that flush would come back. (A node without a copy
		 * cannot tell: README.) */
		if (generation_copy_load(&k, &copy) < 0 || copy.gen == 0) {
			*generation = 0;
			generation_copy_save(&k, (struct generation){ 0, 0 });
			return 0;
		}
		if (generation_spread(s, rp, n, copy, st) > 0) {
			*generation = copy.gen;
			return 0;
		}
		/* another node wrote one meanwhile, or the store stopped
		 * answering: read again */
	}
	/* the store did not answer: this node's copy, said by prime.c */
	if (generation_copy_load(&k, &copy) < 0)
		return -1;
	*generation = copy.gen;
	*from_copy = true;
	return 0;
}

int records_generation_bump(struct store *s, const char *namespace_, const char *symbol,
			    uint64_t *generation, struct memo_stats *st)
{
	struct replica rp[GENERATION_REPLICAS];
	struct generation best, next;
	struct memo_key k;
	int n, i, tries, took, conflicts;
	bool found;

	record_key(&k, GENERATION_TAG, namespace_, symbol);
	n = replica_keys(s, &k, rp);
	for (tries = 0; tries < 16; tries++) {
		if (generation_get_all(s, rp, n, &best, &found, st) == 0)
			return -1;
		next.seq = found ? best.seq + 1 : 1;
		next.gen = generation_fresh(found ? best.gen : 0);
		took = conflicts = 0;
		for (i = 0; i < n; i++) {
			int r;

			if (rp[i].r < 0)
				continue;	/* down: readers go by the later one */
			r = generation_put(s, &rp[i], next, st);
			took += r >= 0;
			conflicts += r == STORE_CONFLICT;
		}
		if (took > 0 && conflicts == 0) {
			generation_copy_save(&k, next);
			*generation = next.gen;
			return 0;
		}
		/* another flush wrote meanwhile: flush on top of it, so that
		 * one generation wins everywhere */
	}
	return -1;	/* sixteen flushes at once: any of them did this one's job */
}

/* ---- function tag ---------------------------------------------------- */

uint64_t records_function_tag(const char *namespace_, const char *symbol)
{
	uint8_t h[8];
	uint64_t tag = 0;
	blake2b_state s;

	b2_init(&s, sizeof h);	/* a digest of its own length: no record's prefix */
	b2_update(&s, (const uint8_t *)namespace_, strlen(namespace_) + 1);
	b2_update(&s, (const uint8_t *)symbol, strlen(symbol));
	b2_final(&s, h, sizeof h);
	for (int i = 0; i < 8; i++)
		tag |= (uint64_t)h[i] << (8 * i);
	return tag ? tag : 1;	/* 0 means "not known" */
}

/* ---- single-flight lease --------------------------------------------- */

void records_lease_key(struct memo_key *lease, const struct memo_key *entry)
{
	size_t p = sizeof RECORDS_LEASE_PREFIX - 1;

	memcpy(lease->hash, entry->hash, KEY_HASH_BYTES);
	memcpy(lease->text, RECORDS_LEASE_PREFIX, p);
	util_hex(lease->text + p, entry->hash, KEY_HASH_BYTES);
	lease->textlen = p + 2 * KEY_HASH_BYTES;
}

/* ---- explain history: keys and parsing -------------------------------- */

void records_explain_key(struct memo_key *k, const char *namespace_, const char *symbol,
			 const char *version, const char *copy)
{
	const char *part[] = { symbol, version[0] ? "@" : "", version, copy[0] ? " in " : "", copy };

	record_key_parts(k, EXPLAIN_TAG, namespace_, part, 5);
}

void records_xstate_free(struct records_xstate *s)
{
	for (int i = 0; i < s->nfn; i++) {
		free(s->fn[i].name);
		free(s->fn[i].parent);
	}
	for (int i = 0; i < s->nimp; i++) {
		free(s->imp[i].fn);
		free(s->imp[i].name);
		free(s->imp[i].provider);
	}
	free(s->fn);
	free(s->imp);
	memset(s, 0, sizeof *s);
}

static int add_fn(struct records_xstate *s, const char *parent, const char *name,
		  const char *code, const char *data, const char *strings)
{
	struct records_xfn *p = realloc(s->fn, (size_t)(s->nfn + 1) * sizeof *p);

	if (!p)
		return -1;
	s->fn = p;
	p += s->nfn;
	p->name = strdup(name);
	p->parent = strdup(parent);
	snprintf(p->code, sizeof p->code, "%s", code);
	snprintf(p->data, sizeof p->data, "%s", data);
	snprintf(p->strings, sizeof p->strings, "%s", strings);
	if (!p->name || !p->parent) {
		free(p->name);
		free(p->parent);
		return -1;
	}
	s->nfn++;
	return 0;
}

static int add_import(struct records_xstate *s, const char *fn, const char *name,
		      const char *provider)
{
	struct records_ximport *p = realloc(s->imp, (size_t)(s->nimp + 1) * sizeof *p);

	if (!p)
		return -1;
	s->imp = p;
	p += s->nimp;
	p->fn = strdup(fn);
	p->name = strdup(name);
	p->provider = strdup(provider);
	if (!p->fn || !p->name || !p->provider) {
		free(p->fn);
		free(p->name);
		free(p->provider);
		return -1;
	}
	s->nimp++;
	return 0;
}

/* One line of a state ("state", "fn" or "import"); -1 if malformed. */
static int parse_line(struct records_xstate *s, char *line)
{
	char *save = NULL, *w[7];
	int n = 0;

	for (char *t = strtok_r(line, " ", &save); t && n < 7; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	if ((n == 4 || n == 5) && !strcmp(w[0], "state")) {
		char *end, *fend;
		s->generation = strtoull(w[2], &end, 10);
		fend = end;
		s->key_format = 1;	/* written before the key format was recorded */
		if (n == 5)
			s->key_format = w[4][0] == 'k' ? (unsigned)strtoul(w[4] + 1, &fend, 10) : 0;
		return *end || *fend || !s->key_format || util_unhex(s->identity, w[1], 32) ||
		       util_unhex(s->proto, w[3], 32) ? -1 : 0;
	}
	if (n == 6 && !strcmp(w[0], "fn"))
		return add_fn(s, w[1], w[2], w[3], w[4], w[5]);
	if (n == 4 && !strcmp(w[0], "import"))
		return add_import(s, w[1], w[2], w[3]);
	return -1;
}

int records_explain_parse(const char *text, size_t len, struct records_xstate *st, int max)
{
	size_t off = strlen(EXPLAIN_HEADER), block = 0;
	int n = 0;
	bool in = false;

	if (len < off || memcmp(text, EXPLAIN_HEADER, off))
		return -1;
	while (off < len && n < max) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
		char line[1024];

		if (!nl || ll >= sizeof line)
			goto bad;
		memcpy(line, text + off, ll);
		line[ll] = '\0';
		if (!in && !strncmp(line, "state ", 6)) {
			in = true;
			block = off;
		} else if (!in) {
			goto bad;
		}
		if (!strcmp(line, "end")) {
			st[n].raw = text + block;
			st[n].rawlen = off + ll + 1 - block;
			n++;
			in = false;
		} else if (parse_line(&st[n], line) < 0) {
			goto bad;
		}
		off += ll + 1;
	}
	if (!in)
		return n;
bad:
	for (int i = 0; i <= n && i < max; i++)
		records_xstate_free(&st[i]);
	return -1;
}

/* ---- explain history: the file ---------------------------------------- */


int records_explain_load(const struct memo_key *k, struct membuf *b, struct records_xstate *st,
			 int max)
{
	char path[PATH_MAX + KEY_TEXT_MAX];
	struct stat sb;
	ssize_t got;
	int fd;

	if (record_path(k, path, sizeof path) < 0)
		return 0;
	/* Never blocks: a FIFO there is not a record libmemo wrote. */
	fd = util_open_regular(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW, 0, &sb);
	if (fd < 0)
		return fd == UTIL_NOT_REGULAR ? -1 : 0;
	if (sb.st_size <= 0 || sb.st_size > EXPLAIN_FILE_MAX ||
	    membuf_reserve(b, (size_t)sb.st_size) < 0) {
		close(fd);
		return 0;
	}
	got = read(fd, b->data, (size_t)sb.st_size);
	close(fd);
	if (got != sb.st_size)
		return 0;
	b->len = (size_t)got;
	return records_explain_parse((const char *)b->data, b->len, st, max);
}

void records_explain_write(const struct memo_key *k, const struct records_xtext *t,
			   const char *symbol)
{
	char path[PATH_MAX + KEY_TEXT_MAX];

	if (t->failed || record_path(k, path, sizeof path) < 0 || t->len > EXPLAIN_FILE_MAX)
		return;
	if (util_file_replace(path, t->buf, t->len, 0600) < 0)
		log_debug("'%s': explain: cannot write '%s': %m", symbol, path);
}

/* ---- explain history: writing ------------------------------------------ */

static void put(struct records_xtext *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct records_xtext *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if (t->buf && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap ? 2 * t->cap : 4096;
		while (cap <= t->len + (size_t)n)
			cap *= 2;
		char *p = realloc(t->buf, cap);
		if (!p) {
			t->failed = true;
			return;
		}
		t->buf = p;
		t->cap = cap;
	}
}

void records_explain_put_header(struct records_xtext *t)
{
	put(t, "%s", EXPLAIN_HEADER);
}

void records_explain_put_state(struct records_xtext *t, const uint8_t identity[32],
			       uint64_t generation, const uint8_t proto[32])
{
	char idhex[65], phex[65];

	util_hex(idhex, identity, 32);
	util_hex(phex, proto, 32);
	put(t, "state %s %llu %s k%u\n", idhex, (unsigned long long)generation, phex,
	    KEY_FORMAT_VERSION);
}

void records_explain_put_fn(struct records_xtext *t, const char *parent, const char *name,
			    const char *code, const char *data, const char *strings)
{
	put(t, "fn %s %s %s %s %s\n", parent, name, code, data, strings);
	t->lines++;
}

void records_explain_put_import(struct records_xtext *t, const char *fn, const char *name,
				const char *provider)
{
	put(t, "import %s %s %s\n", fn, name, provider);
	t->lines++;
}

void records_explain_put_end(struct records_xtext *t)
{
	put(t, "end\n");
}

void records_explain_put_old(struct records_xtext *t, const struct records_xstate *s)
{
	put(t, "%.*s", (int)s->rawlen, s->raw);
}
