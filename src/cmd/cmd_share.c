/*
 * memo export / memo import: a cache shared as one file (store/archive.h),
 * as XetCache shares a notebook's through git. export writes the folder's
 * entries (of one function, or all) that verify, each with its check or MAC;
 * import verifies each entry of an archive as a lookup would (value.h:
 * the check over its key and bytes, keyed with the config's secret when
 * there is one) and stores those that pass into the config's stores, the
 * folder and memcached alike. Nothing unverified is written.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config.h"
#include "cmd/archive.h"
#include "store/key.h"
#include "store/records.h"
#include "store/secret.h"
#include "store/store.h"
#include "store/value.h"
#include "cmd/memo.h"

/* Whether val is an entry that verifies under key text `key`: "" if so,
 * else why not. */
static const char *entry_verdict(const char *key, const void *val, size_t len)
{
	struct iovec parts[VALUE_MAX_PARTS];
	struct value_meta meta;
	struct memo_key k;
	const uint8_t *h = val;
	uint32_t nparts;
	enum value_verdict v;

	if (key_from_text(&k, key) < 0)
		return "not an entry's key";
	if (len < VALUE_HEADER_SIZE)
		return value_verdict_str(VALUE_BAD_LENGTH);
	/* the number of parts the value says it has: the check covers it */
	nparts = (uint32_t)h[28] | (uint32_t)h[29] << 8 | (uint32_t)h[30] << 16 |
		 (uint32_t)h[31] << 24;
	if (nparts > VALUE_MAX_PARTS)
		return value_verdict_str(VALUE_BAD_PARTS);
	v = value_decode(&k, val, len, &meta, parts, (int)nparts);
	return v == VALUE_OK ? "" : value_verdict_str(v);
}

/* The config, its secret, for both commands. 0, or -1 (said). */
static int load(const char *dir, struct memo_config *cfg)
{
	log_init();
	if (config_load(dir, cfg)) {
		fprintf(stderr, "memo: errors in '%s'\n", dir);
		return -1;
	}
	if (secret_load(&cfg->cache) < 0) {
		fprintf(stderr, "memo: the secret file is refused (above)\n");
		return -1;
	}
	return 0;
}

struct exporting {
	FILE *f;
	uint64_t written, skipped;
	int err;
};

static int export_one(void *ctx, const char *key, const void *val, size_t len)
{
	struct exporting *x = ctx;

	if (strncmp(key, "m1-", 3))	/* a record (flush generation, lease): this folder's own */
		return 0;
	if (*entry_verdict(key, val, len)) {
		x->skipped++;
		return 0;
	}
	if (archive_entry(x->f, key, val, len) < 0) {
		x->err = errno;
		return 1;
	}
	x->written++;
	return 0;
}

const struct cmd_spec cmd_export_spec = {
	"export", "[-c DIR] [SYMBOL] FILE",
	"Write the entries of the config's folder (of SYMBOL only, if given)\n"
	"into the archive FILE, each with its check, or its MAC when the\n"
	"config has a secret_file; entries that do not verify are left out.\n"
	"`memo import` adds them to another cache.\n",
	.config = true, .min_pos = 1, .max_pos = 2,
};

int cmd_export(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	struct exporting x = { 0 };
	const char *file = a->pos[a->npos - 1];
	char tmp[PATH_MAX];
	struct store *folder = NULL;
	uint64_t tag = 0;
	int rc = 1, r;

	if (load(a->dir, &cfg) < 0)
		goto out;
	if (a->npos == 2) {
		if (!cmd_configured(&cfg, a->pos[0]))
			goto out;
		tag = records_function_tag(cfg.cache.namespace_, a->pos[0]);
	}
	if (!cfg.cache.dir[0] || !(folder = store_folder_open(&cfg.cache))) {
		fprintf(stderr, "memo: '%s' has no cache folder to export (memcached cannot be "
			"listed)\n", a->dir);
		goto out;
	}
	/* written aside and renamed: a failed export leaves no half archive */
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%d", file, (int)getpid()) >= sizeof tmp ||
	    !(x.f = fopen(tmp, "wxe"))) {
		fprintf(stderr, "memo: cannot write '%s': %s\n", file, strerror(errno));
		goto out;
	}
	r = archive_begin(x.f) < 0 ? -1 : folder->ops->each(folder, tag, export_one, &x);
	if (r < 0 && !x.err)
		x.err = errno ? errno : EIO;
	if (r == 0 && (archive_end(x.f, x.written) < 0 || fflush(x.f) || fsync(fileno(x.f))))
		x.err = errno;
	if (fclose(x.f) && !x.err)
		x.err = errno;
	if (x.err || rename(tmp, file) < 0) {
		fprintf(stderr, "memo: cannot write '%s': %s\n", file, strerror(x.err ? x.err : errno));
		unlink(tmp);
		goto out;
	}
	printf("exported %" PRIu64 " entr%s to '%s'", x.written, x.written == 1 ? "y" : "ies", file);
	if (x.skipped)
		printf("; left out %" PRIu64 " that did not verify", x.skipped);
	printf("\n");
	rc = 0;
out:
	store_free(folder);
	config_release(&cfg);
	return rc;
}

struct importing {
	struct store *s;
	uint64_t added, rejected, failed;
	char first_why[160];
};

static int import_one(void *ctx, const char *key, const void *val, size_t len)
{
	struct importing *im = ctx;
	const char *why = entry_verdict(key, val, len);
	struct memo_stats st = { 0 };
	struct memo_key k;

	if (*why) {
		if (!im->rejected++)
			snprintf(im->first_why, sizeof im->first_why, "'%.70s': %s", key, why);
		return 0;
	}
	key_from_text(&k, key);
	if (store_set(im->s, &k, val, len, &st) < 0)
		im->failed++;
	else
		im->added++;
	return 0;
}

const struct cmd_spec cmd_import_spec = {
	"import", "[-c DIR] FILE",
	"Add the entries of the archive FILE (from `memo export`) to the\n"
	"config's stores (folder and memcached). Each entry is verified first,\n"
	"as a lookup would: with a secret_file, only entries with a valid MAC\n"
	"under that secret are added.\n",
	.config = true, .min_pos = 1, .max_pos = 1,
};

int cmd_import(const struct cmd_args *a)
{
	struct memo_config cfg = { 0 };
	struct importing im = { 0 };
	char why[256];
	int rc = 1, r;

	if (load(a->dir, &cfg) < 0)
		goto out;
	if (!(im.s = store_open(&cfg.cache))) {
		fprintf(stderr, "memo: no cache could be opened for '%s'\n", a->dir);
		goto out;
	}
	r = archive_read(a->pos[0], import_one, &im, why, sizeof why);
	if (r < 0)
		fprintf(stderr, "memo: '%s': %s\n", a->pos[0], why);
	printf("imported %" PRIu64 " entr%s from '%s'", im.added, im.added == 1 ? "y" : "ies",
	       a->pos[0]);
	if (im.rejected)
		printf("; refused %" PRIu64 " that did not verify%s (first: %s)", im.rejected,
		       cfg.cache.secret_file[0] ? " under the secret" : "", im.first_why);
	if (im.failed)
		printf("; %" PRIu64 " could not be stored", im.failed);
	printf("\n");
	rc = r < 0 || im.rejected || im.failed;
out:
	store_free(im.s);
	config_release(&cfg);
	return rc;
}
