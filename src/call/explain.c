/*
 * explain: why a call missed (explain.h). Keeps each symbol's explain
 * history (its record: key, encoding and file are records.c's), compares
 * states, and owns the wording of the reasons. Calls identity, records, key,
 * store, proto, log, libdl. explain_activate: under runtime_lock
 * (allocates, decodes when the state is new); explain_miss: any thread,
 * reads only what activation left, allocates only for a cached value larger
 * than 4 KiB.
 *
 * The record holds the symbol's last two states. Two, not one: a run that
 * misses writes its new state at the hook's first call (prime.c), and the user who then reruns with
 * MEMO_EXPLAIN=1 to ask why must still find the state before it. A state is
 * written only when it differs from the newest one, so a steady program
 * writes nothing and decodes nothing more. The record is local (records.h
 * says why); only the lookups of explain_miss go to the shared store, and
 * only with MEMO_EXPLAIN set.
 *
 * A miss is explained exactly: for each earlier state whose identity (or
 * flush generation) differs, newest first, the call's key under that state
 * is computed and looked up; present means "the code changed since these
 * arguments were cached" (and what changed between that state and this
 * one), absent everywhere means "first call with these arguments". A newest
 * earlier state whose prototype, rules or key format (a build of libmemo's
 * before) differ changed every key: that is said instead.
 */
#include "call/explain.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "find/identity.h"
#include "store/key.h"
#include "base/log.h"
#include "call/runtime.h"
#include "store/records.h"
#include "store/store.h"
#include "base/b2.h"

int explain_on;

#define STATE_LINES_MAX 4096	/* fn and import lines kept per state */
#define DEPTH_NAMES 64		/* call-graph depths whose names are tracked */
#define DIGEST_HEX (2 * IDENTITY_DIGEST_BYTES)

void explain_init(void)
{
	const char *v = getenv("MEMO_EXPLAIN");

	explain_on = v && *v && strcmp(v, "0") != 0;
}

/* ---- the current state: a walk of the identity's parts -------------- */

struct walk {
	struct records_xtext *t;
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
		if (sscanf(detail, "%511s %511s", imp, provider) == 2)
			records_explain_put_import(w->t, name_at(w, depth), imp, provider);
		return;
	case IDENTITY_DIGEST:
		if (sscanf(detail, "code %32s data %32s strings %32s", code, data, strings) == 3)
			records_explain_put_fn(w->t, depth ? name_at(w, depth - 1) : "-", name, code,
					       data, strings);
		return;
	default:
		return;
	}
}

static void proto_digest(const struct hook *h, uint8_t out[32])
{
	char canon[PROTO_CANON_MAX];
	size_t n = proto_canonical(&h->fn->proto, canon, sizeof canon);
	uint64_t rules = key_rules(h->fn);
	blake2b_state s;

	b2_init(&s, 32);
	b2_update(&s, (const uint8_t *)"memo-explain-proto", 18);
	b2_update(&s, (const uint8_t *)canon, n < sizeof canon ? n : sizeof canon);
	b2_update(&s, (const uint8_t *)&rules, sizeof rules);
	b2_final(&s, out, 32);
}

/* The current state's lines into t (with the parts when they can be read). */
static void current_state(struct hook *h, const uint8_t proto[32], struct records_xtext *t)
{
	struct walk w = { .t = t };
	uint8_t id[32];
	char why[256];

	records_explain_put_state(t, h->identity, h->generation, proto);
	if (identity_parts(h->path, (uint64_t)(uintptr_t)h->target - h->base, id, visit, &w,
			   why, sizeof why) < 0)
		log_debug("'%s': explain: its identity's parts cannot be read: %s", h->fn->symbol, why);
	for (int i = 0; i < DEPTH_NAMES; i++)
		free(w.names[i]);
	records_explain_put_end(t);
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

static const struct records_xfn *find_fn(const struct records_xstate *s, const char *name)
{
	for (int i = 0; i < s->nfn; i++)
		if (!strcmp(s->fn[i].name, name))
			return &s->fn[i];
	return NULL;
}

/* The first import of `name` by function `fn`. */
static const struct records_ximport *find_import(const struct records_xstate *s, const char *fn,
						 const char *name)
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
	const char *at = strchr(full, '@');
	char *name = strndup(full, at ? (size_t)(at - full) : strlen(full));	/* any length */
	void *p;
	Dl_info di;

	if (!name)
		return "its library";
	p = at && at[1] ? dlvsym(RTLD_DEFAULT, name, at + 1) : dlsym(RTLD_DEFAULT, name);
	free(name);
	if (!p || !dladdr(p, &di) || !di.dli_fname || !*di.dli_fname)
		return "its library";
	const char *slash = strrchr(di.dli_fname, '/');
	snprintf(out, n, "%s", slash ? slash + 1 : di.dli_fname);
	return out;
}

/* Whether two providers (provider_id) are one build of a library that
 * selected other IFUNC implementations: all before the first '+' alike. */
static bool same_library(const char *p, const char *q)
{
	size_t n = strcspn(p, "+");

	return strcspn(q, "+") == n && !strncmp(p, q, n);
}

/* The import changes of function `fn` between o and c, as phrases into w. */
static void import_changes(const struct records_xstate *o, const struct records_xstate *c,
			   const char *fn, char *w, size_t n)
{
	char gone[256] = "", added[256] = "", lib[256], a[128], b[128];
	size_t used = 0;
	int ngone = 0, nadded = 0;

	w[0] = '\0';
	for (int i = 0; i < c->nimp; i++) {
		const struct records_ximport *x = &c->imp[i], *y;
		if (strcmp(x->fn, fn) || find_import(c, fn, x->name) != x)
			continue;	/* another function's, or a repeat */
		y = find_import(o, fn, x->name);
		if (!y) {
			if (!nadded++)
				snprintf(added, sizeof added, "%s", x->name);
		} else if (strcmp(x->provider, y->provider) && used < n) {
			bare(x->name, a, sizeof a);
			used += (size_t)snprintf(w + used, n - used, same_library(x->provider, y->provider)
						 ? "%s'%s' runs other implementations its library selected for this CPU (%s)"
						 : "%sthe library providing '%s' changed (%s)",
						 used ? ", " : "", a, library_of(x->name, lib, sizeof lib));
		}
	}
	for (int i = 0; i < o->nimp; i++) {
		const struct records_ximport *x = &o->imp[i];
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
static void compare(const struct records_xstate *o, const struct records_xstate *c,
		    struct reasons *r)
{
	for (int i = 0; i < c->nfn; i++) {
		const struct records_xfn *f = &c->fn[i], *g = find_fn(o, f->name);
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

/* ---- per hook -------------------------------------------------------- */

enum why_kind {
	WHY_FIRST = 0,		/* no earlier state, or the same one: new arguments */
	WHY_PROTO,		/* the prototype or rules changed: every key did */
	WHY_FORMAT,		/* libmemo's key format changed: every key did */
	WHY_KEY,		/* identity or generation changed: look the old key up */
};

/* What one earlier state tells about a miss. */
struct explain_base {
	int kind;			/* enum why_kind */
	unsigned key_format;		/* WHY_FORMAT: that state's */
	bool identity_changed;
	blake2b_state old_prefix;	/* WHY_KEY: the key prefix of that state */
	char what[1024];		/* WHY_KEY with identity_changed: which parts */
};

struct explain_hook {
	int nbase;			/* earlier states, newest first */
	struct explain_base base[2];
	const char *since;		/* "the last run" or "an earlier run" */
};

/* One per hook (hooks[i] <-> xh[i], room for every copy), allocated at the first activation when
 * explain_on; written at activation, before the hook is published; read by
 * explain_miss on any thread after. */
static struct explain_hook *xh;

static bool same_state(const struct records_xstate *a, const struct records_xstate *b)
{
	return !memcmp(a->identity, b->identity, 32) && a->generation == b->generation &&
	       !memcmp(a->proto, b->proto, 32) && a->key_format == b->key_format;
}

static void keep_base(struct hook *h, struct explain_base *x, const struct records_xstate *base,
		      const struct records_xstate *cur)
{
	/* another build's keys: none of its entries can be asked for */
	if (base->key_format != cur->key_format) {
		x->kind = WHY_FORMAT;
		x->key_format = base->key_format;
		return;
	}
	if (memcmp(base->proto, cur->proto, 32)) {
		x->kind = WHY_PROTO;
		return;
	}
	if (!memcmp(base->identity, cur->identity, 32) && base->generation == cur->generation)
		return;
	x->kind = WHY_KEY;
	x->identity_changed = memcmp(base->identity, cur->identity, 32) != 0;
	key_prefix(&x->old_prefix, memo_cfg->cache.namespace_, base->generation, base->identity,
		   &h->fn->proto, key_rules(h->fn));
	if (x->identity_changed) {
		struct reasons r = { .len = 0 };
		compare(base, cur, &r);
		snprintf(x->what, sizeof x->what, "%.*s", (int)r.len, r.buf);
	}
}

/* Keep what each earlier state (bases[0..n), newest first) tells. */
static void keep_reasons(struct hook *h, const struct records_xstate *bases, int n,
			 const struct records_xstate *cur, const char *since)
{
	struct explain_hook *x;

	if (!xh && !(xh = calloc((size_t)hooks_cap, sizeof *xh)))
		return;
	x = &xh[h->index];
	x->since = since;
	for (int i = 0; i < n && i < 2; i++)
		keep_base(h, &x->base[x->nbase++], &bases[i], cur);
}

void explain_activate(struct hook *h)
{
	struct records_xstate st[2] = { 0 }, cur = { 0 };
	const struct records_xstate *bases = NULL;
	int nbases = 0;
	const char *since = "the last run";
	struct memo_key k;
	uint8_t space[4096], proto[32];
	struct membuf b;
	struct records_xtext t = { 0 };
	int n = 0;

	if (!memo_store || h < hooks || h >= hooks + hooks_cap)
		return;
	proto_digest(h, proto);
	memcpy(cur.identity, h->identity, 32);
	cur.generation = h->generation;
	memcpy(cur.proto, proto, 32);
	cur.key_format = KEY_FORMAT_VERSION;

	/* a copy found after the first (boot/activate.c) has a history of its own */
	records_explain_key(&k, memo_cfg->cache.namespace_, h->fn->symbol, h->fn->version,
			    h->index >= memo_cfg->nfuncs ? h->path : "");
	membuf_init(&b, space, sizeof space);
	if ((n = records_explain_load(&k, &b, st, 2)) < 0) {
		log_debug("'%s': explain: an unreadable record in the cache; replaced", h->fn->symbol);
		n = 0;
	}

	if (n > 0 && same_state(&st[0], &cur)) {
		/* Nothing new since the last run: explain against the state
		 * before it, with the parts recorded for this one. */
		bases = &st[1];
		nbases = n - 1;
		since = "an earlier run";
		records_xstate_free(&cur);
		cur = st[0];
		st[0] = (struct records_xstate){ 0 };
	} else {
		records_explain_put_header(&t);
		current_state(h, proto, &t);
		if (n > 0)
			records_explain_put_old(&t, &st[0]);
		if (!t.failed && records_explain_parse(t.buf, t.len, &cur, 1) == 1) {
			records_explain_write(&k, &t, h->fn->symbol);
		} else {
			/* Out of memory: explain without the parts. */
			memcpy(cur.identity, h->identity, 32);
			cur.generation = h->generation;
			memcpy(cur.proto, proto, 32);
			cur.key_format = KEY_FORMAT_VERSION;
		}
		bases = st;
		nbases = n;
	}
	if (explain_on)
		keep_reasons(h, bases, nbases, &cur, since);
	records_xstate_free(&cur);
	records_xstate_free(&st[0]);
	records_xstate_free(&st[1]);
	free(t.buf);
	membuf_release(&b);
}

/* ---- per miss --------------------------------------------------------- */

static void say(const struct hook *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct hook *h, const char *fmt, ...)
{
	char line[1536];
	va_list ap;
	int n, fd;

	/* Not through log.c: asked for explicitly, so printed at any MEMO_LOG. */
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	n = n < 0 ? 0 : n > (int)sizeof line - 2 ? (int)sizeof line - 2 : n;
	line[n++] = '\n';
	/* the stderr the process started with, or nowhere (log.h); the name
	 * beside the line, whole, whatever its length: one write still */
	if ((fd = log_stderr_fd()) >= 0 &&
	    writev(fd, (struct iovec[]){ { "libmemo: explain: '", 19 },
					 { (void *)h->fn->symbol, strlen(h->fn->symbol) },
					 { "' miss: ", 8 }, { line, (size_t)n } }, 4) < 0) {
		/* nowhere left to say it */
	}
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
	if (x && x->nbase && x->base[0].kind == WHY_FORMAT) {
		say(h, "libmemo's key format changed since %s (version %u, now %u: libmemo was "
		    "upgraded), so entries written before are never found: each call computes "
		    "once more", x->since, x->base[0].key_format, KEY_FORMAT_VERSION);
		return;
	}
	if (x && x->nbase && x->base[0].kind == WHY_PROTO) {
		say(h, "the config's prototype or rules changed since %s", x->since);
		return;
	}
	say(h, "first call with these arguments%s%s", h->nglobals ? " and values of its 'globals'" : "",
	    hint);
}
