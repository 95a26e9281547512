/*
 * verify: recompute a share of hits and compare (verify.h). Owns the draw,
 * the comparison and the report of an impure function. Calls store, value,
 * stats, log and evaluate.c; never back into call.c. Hot path, any thread;
 * allocates only for a cached value larger than VALUE_INLINE.
 */
#include "call/verify.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "call/runtime.h"
#include "store/store.h"

/* Per thread; seeded on first use from its own address and the clock, so
 * threads and forked children draw differently. */
static __thread uint64_t rng;

int verify_due(const struct hook *h)
{
	double share = h->fn->verify;

	if (share >= 1)
		return 1;
	if (!rng)
		rng = (util_now_ns() ^ (uint64_t)(uintptr_t)&rng) | 1;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) * 0x1p-53 < share;
}

/* A scalar as its type prints it. */
static void scalar_text(const struct scalar_type *t, const void *p, char *out, size_t n)
{
	int64_t s = 0;
	uint64_t u = 0;

	switch (t->cls) {
	case SC_SINT:
		s = t->size == 1 ? *(const int8_t *)p : t->size == 2 ? *(const int16_t *)p :
		    t->size == 4 ? *(const int32_t *)p : *(const int64_t *)p;
		snprintf(out, n, "%lld", (long long)s);
		return;
	case SC_UINT:
	case SC_BOOL:
		memcpy(&u, p, t->size < 8 ? t->size : 8);
		snprintf(out, n, "%llu", (unsigned long long)u);
		return;
	case SC_FLOAT:
		if (t->size == 4)
			snprintf(out, n, "%.9g", (double)*(const float *)p);
		else if (t->size == 8)
			snprintf(out, n, "%.17g", *(const double *)p);
		else
			snprintf(out, n, "%.21Lg", *(const long double *)p);
		return;
	default:
		memcpy(&u, p, sizeof u);
		snprintf(out, n, "%#llx", (unsigned long long)u);
	}
}

/* The first difference between the fresh result (in the caller's memory)
 * and the cached parts, in words into out; 0 when there is none. */
static int difference(const struct hook *h, void *ret, const struct layout *l,
		      const struct value_meta *meta, const struct iovec *got, char *out, size_t n)
{
	const struct proto *p = &h->fn->proto;
	bool was_null = meta->flags & VALUE_RET_NULL;
	char a[128], b[128];

	switch (p->ret_kind) {
	case RET_SCALAR:
		if (got[0].iov_len != p->ret.size || memcmp(ret, got[0].iov_base,
							     p->ret.def ? p->ret.size : p->ret.bits)) {
			scalar_text(&p->ret, got[0].iov_base, a, sizeof a);
			scalar_text(&p->ret, ret, b, sizeof b);
			snprintf(out, n, "returned %s when cached, %s now", a, b);
			return 1;
		}
		break;
	case RET_STRING_STATIC:
	case RET_STRING_MALLOC: {
		const char *s = *(char **)ret;
		if (!s != was_null || (s && (strlen(s) != got[0].iov_len ||
					     memcmp(s, got[0].iov_base, got[0].iov_len)))) {
			snprintf(out, n, "returned %s%.*s%s when cached, %s%.60s%s now",
				 was_null ? "" : "\"", was_null ? 4 : (int)(got[0].iov_len < 60 ? got[0].iov_len : 60),
				 was_null ? "NULL" : (const char *)got[0].iov_base, was_null ? "" : "\"",
				 s ? "\"" : "", s ? s : "NULL", s ? "\"" : "");
			return 1;
		}
		break;
	}
	case RET_ARGUMENT:
		if (!*(void **)ret != was_null) {
			snprintf(out, n, "returned %s when cached, %s now", was_null ? "NULL" : "its argument",
				 *(void **)ret ? "its argument" : "NULL");
			return 1;
		}
		break;
	}
	for (int i = 1, arg = 0; i < l->nparts; i++, arg++) {
		const uint8_t *fresh = l->part[i].iov_base, *old = got[i].iov_base;
		size_t off = 0;

		while (p->args[arg].kind != ARG_OUT && p->args[arg].kind != ARG_INOUT)
			arg++;
		while (off < l->part[i].iov_len && fresh[off] == old[off])
			off++;
		if (off < l->part[i].iov_len) {
			const struct scalar_type *t = &p->args[arg].type;
			size_t at = t->size > 1 ? off / t->size * t->size : off;
			if (t->size > 1 && t->cls != SC_VOID && at + t->size <= l->part[i].iov_len) {
				scalar_text(t, old + at, a, sizeof a);
				scalar_text(t, fresh + at, b, sizeof b);
				snprintf(out, n, "'%s' differs from byte %zu on: element [%zu] was %s when "
					 "cached, %s now", p->args[arg].name, off, at / t->size, a, b);
			} else {
				snprintf(out, n, "'%s' differs from byte %zu on: %#04x when cached, %#04x now",
					 p->args[arg].name, off, old[off], fresh[off]);
			}
			return 1;
		}
	}
	return 0;
}

/* The `opaque` arguments, the likely cause of a mismatch: the key does not
 * follow them, so calls that differ only in what they point to share one
 * entry. "" when there are none. */
static void opaque_cause(const struct proto *p, char *out, size_t n)
{
	size_t used = 0;
	int found = 0;

	*out = 0;
	for (int i = 0; i < p->nargs && used < n; i++)
		if (p->args[i].kind == ARG_OPAQUE)
			used += (size_t)snprintf(out + used, n - used, "%s'%s'", found++ ? ", " : "; "
						 "the likely cause: the key does not follow the opaque "
						 "argument(s) ", p->args[i].name);
}

int verify_call(struct hook *h, const struct memo_key *k, void *ret, void **args,
		const struct layout *l, int caller_errno, uint64_t *ns, int *call_errno)
{
	uint8_t space[VALUE_INLINE];
	struct membuf buf;
	struct value_meta meta;
	struct iovec got[VALUE_MAX_PARTS];
	char what[400], cause[200];
	int i, result = VERIFY_NONE;

	membuf_init(&buf, space, sizeof space);
	if (store_get(memo_store, k, &buf, stats_mine(h->stats)) != STORE_HIT)
		goto out;
	if (value_decode(k, buf.data, buf.len, &meta, got, l->nparts) != VALUE_OK) {
		STAT_ADD(stats_mine(h->stats), rejected, 1);
		goto out;
	}
	for (i = 1; i < l->nparts; i++)
		if (got[i].iov_len != l->part[i].iov_len) {
			STAT_ADD(stats_mine(h->stats), rejected, 1);
			goto out;
		}

	*ns = evaluate_timed(h, ret, args, caller_errno, call_errno);

	if (!difference(h, ret, l, &meta, got, what, sizeof what)) {
		STAT_ADD(stats_mine(h->stats), hits, 1);
		result = VERIFY_SAME;
		goto out;
	}
	STAT_ADD(stats_mine(h->stats), impure, 1);
	opaque_cause(&h->fn->proto, cause, sizeof cause);
	log_warn("'%s' is not pure: recomputing a hit (key %s) %s; the fresh result is returned "
		 "and replaces the entry%s", h->fn->symbol, k->text, what, cause);
	result = VERIFY_DIFFERENT;
out:
	membuf_release(&buf);
	return result;
}
