/*
 * explain: why a call missed (explain.h). Owns the "x1-" record of each
 * symbol and the wording of the reasons. Calls identity, key, store, proto,
 * log, libdl. explain_activate: under runtime_lock (allocates,
 * decodes when the state is new); explain_miss: any thread, reads only what
 * activation left, allocates only for a cached value larger than 4 KiB.
 *
 * The record (a text file "x1-<hash of namespace and symbol>" beside the
 * identity cache, identity_get_cache_dir) holds the symbol's last two
 * states, newest first:
 *   memo-explain 1
 *   state IDENTITY-HEX GENERATION PROTO-HEX
 *   fn PARENT NAME CODE-HEX DATA-HEX STRINGS-HEX    (PARENT "-": the symbol)
 *   import FN NAME@VERSION PROVIDER                 (PROVIDER: build-id)
 *   end
 * Two, not one: a run that misses writes its new state at start-up, and the
 * user who then reruns with MEMO_EXPLAIN=1 to ask why must still find the
 * state before it. A state is written only when it differs from the newest
 * one, so a steady program writes nothing and decodes nothing more.
 *
 * Local, not in the shared store: every process start reads it, and a
 * memcached round trip (or the timeouts of a stopped server, which would
 * also open its circuit breaker) is not a price a run should pay for a
 * question it may never ask. Only the lookups of explain_miss go to the
 * shared store, and only with MEMO_EXPLAIN set.
 *
 * A miss is explained exactly: for each earlier state whose identity (or
 * flush generation) differs, newest first, the call's key under that state
 * is computed and looked up; present means "the code changed since these
 * arguments were cached" (and what changed between that state and this
 * one), absent everywhere means "first call with these arguments".
 */
#include "call/explain.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "find/identity.h"
#include "store/key.h"
#include "base/log.h"
#include "call/runtime.h"
#include "store/store.h"

int explain_on;

#define RECORD_TAG "x1"
#define RECORD_HEADER "memo-explain 1\n"
#define STATE_LINES_MAX 4096	/* fn and import lines kept per state */
#define DEPTH_NAMES 64		/* call-graph depths whose names are tracked */
#define DIGEST_HEX (2 * IDENTITY_DIGEST_BYTES)

void explain_init(void)
{
	const char *v = getenv("MEMO_EXPLAIN");

	explain_on = v && *v && strcmp(v, "0") != 0;
}

/* ---- states ---------------------------------------------------------- */

struct xfn {
	char *name, *parent;
	char code[DIGEST_HEX + 1], data[DIGEST_HEX + 1], strings[DIGEST_HEX + 1];
};

struct ximport {
	char *fn, *name, *provider;
};

struct xstate {
	bool present;
	uint8_t identity[32];
	uint64_t generation;
	uint8_t proto[32];
	struct xfn *fn;
	int nfn;
	struct ximport *imp;
	int nimp;
	const char *raw;	/* the state's lines in the record read, for rewriting */
	size_t rawlen;
};

static void state_free(struct xstate *s)
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

static void hex_of(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

static int add_fn(struct xstate *s, const char *parent, const char *name, const char *code,
		  const char *data, const char *strings)
{
	struct xfn *p = realloc(s->fn, (size_t)(s->nfn + 1) * sizeof *p);

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

static int add_import(struct xstate *s, const char *fn, const char *name, const char *provider)
{
	struct ximport *p = realloc(s->imp, (size_t)(s->nimp + 1) * sizeof *p);

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
static int parse_line(struct xstate *s, char *line)
{
	char *save = NULL, *w[7];
	int n = 0;

	for (char *t = strtok_r(line, " ", &save); t && n < 7; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	if (n == 4 && !strcmp(w[0], "state")) {
		char *end;
		s->generation = strtoull(w[2], &end, 10);
		return *end || unhex(w[1], s->identity, 32) || unhex(w[3], s->proto, 32) ? -1 : 0;
	}
	if (n == 6 && !strcmp(w[0], "fn"))
		return add_fn(s, w[1], w[2], w[3], w[4], w[5]);
	if (n == 4 && !strcmp(w[0], "import"))
		return add_import(s, w[1], w[2], w[3]);
	return -1;
}

/* Parse the states of a record (at most `max`). Returns how many, or -1
 * when the record is not one libmemo wrote (then it is ignored). */
static int parse_record(const char *text, size_t len, struct xstate *st, int max)
{
	size_t off = strlen(RECORD_HEADER), block = 0;
	int n = 0;
	bool in = false;

	if (len < off || memcmp(text, RECORD_HEADER, off))
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
			st[n].present = true;
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
		state_free(&st[i]);
	return -1;
}

/* ---- the current state: a walk of the identity's parts -------------- */

struct text {
	char *buf;
	size_t len, cap;
	int lines;
	bool failed;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
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

struct walk {
	struct text *t;
	char *names[DEPTH_NAMES];	/* the function being reported at each depth */
};

static const char *name_at(const struct walk *w, int depth)
{
	return depth >= 0 && depth < DEPTH_NAMES && w->names[depth] ? w->names[depth] : "?";
}

static void visit(void *ctx, enum identity_part part, int depth, const char *name,
		  const char *detail)
{
	struct walk *w = ctx;
	char code[DIGEST_HEX + 1], data[DIGEST_HEX + 1], strings[DIGEST_HEX + 1];
	char imp[512], provider[512];

	if (w->t->lines >= STATE_LINES_MAX)
		return;
	switch (part) {
	case IDENTITY_CODE:
		/* NAME.cold is reported as a second part of NAME */
		if (depth >= DEPTH_NAMES || (w->names[depth] &&
		    !strncmp(name, w->names[depth], strlen(w->names[depth])) &&
		    !strcmp(name + strlen(w->names[depth]), ".cold")))
			return;
		free(w->names[depth]);
		w->names[depth] = strdup(name);
		return;
	case IDENTITY_IMPORT:
		if (sscanf(detail, "%511s %511s", imp, provider) == 2) {
			text_add(w->t, "import %s %s %s\n", name_at(w, depth), imp, provider);
			w->t->lines++;
		}
		return;
	case IDENTITY_DIGEST:
		if (sscanf(detail, "code %32s data %32s strings %32s", code, data, strings) == 3) {
			text_add(w->t, "fn %s %s %s %s %s\n", depth ? name_at(w, depth - 1) : "-",
				 name, code, data, strings);
			w->t->lines++;
		}
		return;
	default:
		return;
	}
}

static void proto_digest(const struct hook *h, uint8_t out[32])
{
	char canon[PROTO_CANON_MAX];
	size_t n = proto_canonical(&h->fn->proto, canon, sizeof canon);
	uint64_t rules = h->fn->repeated ? KEY_RULE_REPEATED : 0;
	blake2b_state s;

	blake2b_init(&s, 32);
	blake2b_update(&s, (const uint8_t *)"memo-explain-proto", 18);
	blake2b_update(&s, (const uint8_t *)canon, n < sizeof canon ? n : sizeof canon);
	blake2b_update(&s, (const uint8_t *)&rules, sizeof rules);
	blake2b_final(&s, out, 32);
}

/* The current state's lines into t (with the parts when they can be read). */
static void current_state(struct hook *h, const uint8_t proto[32], struct text *t)
{
	struct walk w = { .t = t };
	uint8_t id[32];
	char idhex[65], phex[65], why[256];

	hex_of(h->identity, 32, idhex);
	hex_of(proto, 32, phex);
	text_add(t, "state %s %llu %s\n", idhex, (unsigned long long)h->generation, phex);
	if (identity_parts(h->path, (uint64_t)(uintptr_t)h->target - h->base, id, visit, &w,
			   why, sizeof why) < 0)
		log_debug("'%s': explain: its identity's parts cannot be read: %s", h->fn->symbol, why);
	for (int i = 0; i < DEPTH_NAMES; i++)
		free(w.names[i]);
	text_add(t, "end\n");
}

/* ---- what changed ---------------------------------------------------- */

struct reasons {
	char buf[1024];
	size_t len;
	int n;
};

static void reason(struct reasons *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(struct reasons *r, const char *fmt, ...)
{
	va_list ap;
	int m;

	if (r->n++ >= 4) {	/* enough to act on; the rest would drown it */
		if (r->n == 5 && r->len < sizeof r->buf)
			r->len += (size_t)snprintf(r->buf + r->len, sizeof r->buf - r->len, "; ...");
		return;
	}
	if (r->len && r->len < sizeof r->buf)
		r->len += (size_t)snprintf(r->buf + r->len, sizeof r->buf - r->len, "; ");
	if (r->len >= sizeof r->buf)
		return;
	va_start(ap, fmt);
	m = vsnprintf(r->buf + r->len, sizeof r->buf - r->len, fmt, ap);
	va_end(ap);
	if (m > 0)
		r->len += (size_t)m;
	if (r->len > sizeof r->buf)
		r->len = sizeof r->buf;
}

static const struct xfn *find_fn(const struct xstate *s, const char *name)
{
	for (int i = 0; i < s->nfn; i++)
		if (!strcmp(s->fn[i].name, name))
			return &s->fn[i];
	return NULL;
}

/* The first import of `name` by function `fn`. */
static const struct ximport *find_import(const struct xstate *s, const char *fn, const char *name)
{
	for (int i = 0; i < s->nimp; i++)
		if (!strcmp(s->imp[i].fn, fn) && !strcmp(s->imp[i].name, name))
			return &s->imp[i];
	return NULL;
}

/* "sin@GLIBC_2.2.5" -> "sin" */
static void bare(const char *full, char *out, size_t n)
{
	const char *at = strchr(full, '@');

	snprintf(out, n, "%.*s", (int)(at ? at - full : (long)strlen(full)), full);
}

/* The file name of the library that provides `full` to this process now. */
static const char *library_of(const char *full, char *out, size_t n)
{
	char name[256];
	const char *at = strchr(full, '@');
	void *p;
	Dl_info di;

	bare(full, name, sizeof name);
	p = at && at[1] ? dlvsym(RTLD_DEFAULT, name, at + 1) : dlsym(RTLD_DEFAULT, name);
	if (!p || !dladdr(p, &di) || !di.dli_fname || !*di.dli_fname)
		return "its library";
	const char *slash = strrchr(di.dli_fname, '/');
	snprintf(out, n, "%s", slash ? slash + 1 : di.dli_fname);
	return out;
}

/* The import changes of function `fn` between o and c, as phrases into w. */
static void import_changes(const struct xstate *o, const struct xstate *c, const char *fn,
			   char *w, size_t n)
{
	char gone[256] = "", added[256] = "", lib[256], a[128], b[128];
	size_t used = 0;
	int ngone = 0, nadded = 0;

	w[0] = '\0';
	for (int i = 0; i < c->nimp; i++) {
		const struct ximport *x = &c->imp[i], *y;
		if (strcmp(x->fn, fn) || find_import(c, fn, x->name) != x)
			continue;	/* another function's, or a repeat */
		y = find_import(o, fn, x->name);
		if (!y) {
			if (!nadded++)
				snprintf(added, sizeof added, "%s", x->name);
		} else if (strcmp(x->provider, y->provider) && used < n) {
			bare(x->name, a, sizeof a);
			used += (size_t)snprintf(w + used, n - used, "%sthe library providing '%s' changed (%s)",
						 used ? ", " : "", a, library_of(x->name, lib, sizeof lib));
		}
	}
	for (int i = 0; i < o->nimp; i++) {
		const struct ximport *x = &o->imp[i];
		if (!strcmp(x->fn, fn) && find_import(o, fn, x->name) == x &&
		    !find_import(c, fn, x->name) && !ngone++)
			snprintf(gone, sizeof gone, "%s", x->name);
	}
	bare(gone, a, sizeof a);
	bare(added, b, sizeof b);
	if (used >= n)
		return;
	if (ngone == 1 && nadded == 1)
		used += (size_t)snprintf(w + used, n - used, "%simported function '%s' replaced by '%s'",
					 used ? ", " : "", a, b);
	else if (ngone || nadded)
		snprintf(w + used, n - used, "%s%d imported function%s dropped%s%s%s, %d added%s%s%s",
			 used ? ", " : "", ngone, ngone == 1 ? "" : "s", ngone ? " ('" : "", a,
			 ngone ? "'...)" : "", nadded, nadded ? " ('" : "", b, nadded ? "'...)" : "");
}

/* What differs between the identity parts of o and c, in words. */
static void compare(const struct xstate *o, const struct xstate *c, struct reasons *r)
{
	for (int i = 0; i < c->nfn; i++) {
		const struct xfn *f = &c->fn[i], *g = find_fn(o, f->name);
		bool root = !strcmp(f->parent, "-");
		char what[600] = "", imports[400], via[200] = "";
		size_t used = 0;

		if (!root && strcmp(f->parent, c->fn[0].name))
			snprintf(via, sizeof via, " (called from '%s')", f->parent);
		if (!g) {
			if (!root)
				reason(r, "new callee '%s'%s", f->name, via);
			continue;
		}
		if (strcmp(f->code, g->code))
			used += (size_t)snprintf(what + used, sizeof what - used, "%s", root ?
						 "its own code changed" : "its code changed");
		if (strcmp(f->data, g->data) && used < sizeof what)
			used += (size_t)snprintf(what + used, sizeof what - used, "%sa constant it reads changed",
						 used ? ", " : "");
		if (strcmp(f->strings, g->strings) && used < sizeof what)
			used += (size_t)snprintf(what + used, sizeof what - used, "%sa string it reads changed",
						 used ? ", " : "");
		import_changes(o, c, f->name, imports, sizeof imports);
		if (*imports && used < sizeof what)
			used += (size_t)snprintf(what + used, sizeof what - used, "%s%s", used ? ", " : "",
						 imports);
		if (!used)
			continue;
		if (root)
			reason(r, "%s", what);
		else
			reason(r, "callee '%s'%s changed: %s", f->name, via, what);
	}
}

/* ---- the record file -------------------------------------------------- */

#define RECORD_FILE_MAX (1u << 20)

static int record_path(const struct memo_key *k, char *path, size_t n)
{
	const char *dir = identity_get_cache_dir();

	return *dir && (size_t)snprintf(path, n, "%s/%s", dir, k->text) < n ? 0 : -1;
}

/* The record's bytes into b; 0, or -1 when there is none. */
static int record_read(const struct memo_key *k, struct membuf *b)
{
	char path[PATH_MAX + KEY_TEXT_MAX];
	struct stat st;
	ssize_t got;
	int fd;

	if (record_path(k, path, sizeof path) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > RECORD_FILE_MAX ||
	    membuf_reserve(b, (size_t)st.st_size) < 0) {
		close(fd);
		return -1;
	}
	got = read(fd, b->data, (size_t)st.st_size);
	close(fd);
	if (got != st.st_size)
		return -1;
	b->len = (size_t)got;
	return 0;
}

/* Written to a temporary file and renamed: a reader sees all or nothing. */
static void record_write(const struct hook *h, const struct memo_key *k, const char *text,
			 size_t len)
{
	char path[PATH_MAX + KEY_TEXT_MAX], tmp[PATH_MAX + KEY_TEXT_MAX + 32];
	int fd;
	bool ok;

	if (record_path(k, path, sizeof path) < 0 || len > RECORD_FILE_MAX)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_debug("'%s': explain: cannot write '%s': %m", h->fn->symbol, tmp);
		return;
	}
	ok = write(fd, text, len) == (ssize_t)len;
	if (close(fd) || !ok || rename(tmp, path)) {
		log_debug("'%s': explain: cannot write '%s'", h->fn->symbol, path);
		unlink(tmp);
	}
}

/* ---- per hook -------------------------------------------------------- */

enum why_kind {
	WHY_FIRST = 0,		/* no earlier state, or the same one: new arguments */
	WHY_PROTO,		/* the prototype or rules changed: every key did */
	WHY_KEY,		/* identity or generation changed: look the old key up */
};

/* What one earlier state tells about a miss. */
struct explain_base {
	int kind;			/* enum why_kind */
	bool identity_changed;
	blake2b_state old_prefix;	/* WHY_KEY: the key prefix of that state */
	char what[1024];		/* WHY_KEY with identity_changed: which parts */
};

struct explain_hook {
	int nbase;			/* earlier states, newest first */
	struct explain_base base[2];
	const char *since;		/* "the last run" or "an earlier run" */
};

/* One per hook (hooks[i] <-> xh[i]), allocated at the first activation when
 * explain_on; written at activation, before the hook is published; read by
 * explain_miss on any thread after. */
static struct explain_hook *xh;

static bool same_state(const struct xstate *a, const struct xstate *b)
{
	return !memcmp(a->identity, b->identity, 32) && a->generation == b->generation &&
	       !memcmp(a->proto, b->proto, 32);
}

static void keep_base(struct hook *h, struct explain_base *x, const struct xstate *base,
		      const struct xstate *cur)
{
	if (memcmp(base->proto, cur->proto, 32)) {
		x->kind = WHY_PROTO;
		return;
	}
	if (!memcmp(base->identity, cur->identity, 32) && base->generation == cur->generation)
		return;
	x->kind = WHY_KEY;
	x->identity_changed = memcmp(base->identity, cur->identity, 32) != 0;
	key_prefix(&x->old_prefix, memo_cfg.cache.namespace_, base->generation, base->identity,
		   &h->fn->proto, h->fn->repeated ? KEY_RULE_REPEATED : 0);
	if (x->identity_changed) {
		struct reasons r = { .len = 0 };
		compare(base, cur, &r);
		snprintf(x->what, sizeof x->what, "%.*s", (int)r.len, r.buf);
	}
}

/* Keep what each earlier state (bases[0..n), newest first) tells. */
static void keep_reasons(struct hook *h, const struct xstate *bases, int n,
			 const struct xstate *cur, const char *since)
{
	struct explain_hook *x;

	if (!xh && !(xh = calloc((size_t)nhooks, sizeof *xh)))
		return;
	x = &xh[h->index];
	x->since = since;
	for (int i = 0; i < n && i < 2; i++)
		keep_base(h, &x->base[x->nbase++], &bases[i], cur);
}

void explain_activate(struct hook *h)
{
	struct xstate st[2] = { { 0 } }, cur = { 0 };
	const struct xstate *bases = NULL;
	int nbases = 0;
	const char *since = "the last run";
	struct memo_key k;
	uint8_t space[4096], proto[32];
	char name[PROTO_MAX_NAME + 64];
	struct membuf b;
	struct text t = { 0 };
	int n = 0;

	if (!memo_store || h < hooks || h >= hooks + nhooks)
		return;
	proto_digest(h, proto);
	memcpy(cur.identity, h->identity, 32);
	cur.generation = h->generation;
	memcpy(cur.proto, proto, 32);

	/* one record per configured symbol@version */
	snprintf(name, sizeof name, "%s%s%s", h->fn->symbol, h->fn->version[0] ? "@" : "",
		 h->fn->version);
	key_record(&k, RECORD_TAG, memo_cfg.cache.namespace_, name);
	membuf_init(&b, space, sizeof space);
	if (record_read(&k, &b) == 0 &&
	    (n = parse_record((const char *)b.data, b.len, st, 2)) < 0) {
		log_debug("'%s': explain: an unreadable record in the cache; replaced", h->fn->symbol);
		n = 0;
	}

	if (n > 0 && same_state(&st[0], &cur)) {
		/* Nothing new since the last run: explain against the state
		 * before it, with the parts recorded for this one. */
		bases = &st[1];
		nbases = n - 1;
		since = "an earlier run";
		state_free(&cur);
		cur = st[0];
		st[0] = (struct xstate){ 0 };
	} else {
		text_add(&t, "%s", RECORD_HEADER);
		current_state(h, proto, &t);
		if (n > 0)
			text_add(&t, "%.*s", (int)st[0].rawlen, st[0].raw);
		if (!t.failed && parse_record(t.buf, t.len, &cur, 1) == 1) {
			record_write(h, &k, t.buf, t.len);
		} else {
			/* Out of memory: explain without the parts. */
			memcpy(cur.identity, h->identity, 32);
			cur.generation = h->generation;
			memcpy(cur.proto, proto, 32);
		}
		bases = st;
		nbases = n;
	}
	if (explain_on)
		keep_reasons(h, bases, nbases, &cur, since);
	state_free(&cur);
	state_free(&st[0]);
	state_free(&st[1]);
	free(t.buf);
	membuf_release(&b);
}

/* ---- per miss --------------------------------------------------------- */

static void say(const struct hook *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct hook *h, const char *fmt, ...)
{
	char line[1536];
	va_list ap;
	int n, m;

	/* Not through log.c: asked for explicitly, so printed at any MEMO_LOG. */
	n = snprintf(line, sizeof line, "libmemo: explain: '%s' miss: ", h->fn->symbol);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n += m > 0 ? m : 0;
	if (n > (int)sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) { /* nowhere left to say it */ }
}

/* Whether this call's key under the earlier state has an entry. */
static bool cached_before(struct hook *h, const struct explain_base *x, void **args)
{
	struct memo_stats scratch = { 0 };
	struct memo_key k;
	uint8_t space[4096];
	struct membuf b;
	bool hit;

	if (key_compute(&x->old_prefix, &h->fn->proto, args, h->globals, h->nglobals, &k) < 0)
		return false;
	membuf_init(&b, space, sizeof space);
	hit = store_get(memo_store, &k, &b, &scratch) == STORE_HIT;
	membuf_release(&b);
	return hit;
}

void explain_miss(struct hook *h, void **args, int skipped)
{
	const struct explain_hook *x = xh ? &xh[h->index] : NULL;
	const char *hint = h->threshold_ns ? " (or an earlier call ran under time_threshold and "
					     "was not stored)" : "";

	if (skipped) {
		say(h, "the shared store was not asked (adaptive bypass: its calls run faster than "
		    "a lookup and than time_threshold)");
		return;
	}

	/* The newest earlier state that has this call cached says why. */
	for (int i = 0; x && i < x->nbase; i++) {
		const struct explain_base *b = &x->base[i];
		if (b->kind != WHY_KEY || !cached_before(h, b, args))
			continue;
		if (!b->identity_changed)
			say(h, "its entries were flushed (memo flush) since these arguments were cached");
		else
			say(h, "the code identity changed since these arguments were cached%s%s",
			    *b->what ? ": " : "", b->what);
		return;
	}
	if (x && x->nbase && x->base[0].kind == WHY_PROTO) {
		say(h, "the config's prototype or rules changed since %s", x->since);
		return;
	}
	say(h, "first call with these arguments%s%s", h->nglobals ? " and values of its 'globals'" : "",
	    hint);
}
