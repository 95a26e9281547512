/*
 * config: reads MEMO_CONFIG (a file, or every *.conf of a folder in sorted
 * order) into struct memo_config, checking every key, and reports each error
 * as "FILE:LINE[:COL]: message" through log. Calls libinih, proto, log.
 * Start-up only: allocates, not thread-safe, never on the hot path.
 *
 * libinih splits lines into keys and values; our own line reader (fed to
 * ini_parse_stream) counts lines, so every handler call knows its line and
 * the column of its value (Debian builds inih without INI_HANDLER_LINENO),
 * and it sees the [section] lines inih keeps to itself, so that a section
 * with no keys at all is still checked, and where it starts is known.
 *
 * Decisions worth knowing:
 * - time_threshold defaults to 0: every miss is stored. pyDVL's default was
 *   0.3 s, which silently caches nothing for functions faster than that;
 *   here a threshold is an explicit choice.
 * - A relative path (dir, stats, secret_file, sasl_password_file) is
 *   relative to the folder of the file that set it, not to the program's
 *   working folder, so a config means the same from anywhere. `dir = off` or
 *   `dir = ""` turns the folder store off (a folder named off is ./off).
 * - A value wholly in double quotes is taken without them (`namespace = ""`).
 * - A long prototype continues on indented lines (inih's multi-line values);
 *   the pieces are joined with a space. No other key continues.
 * - Columns of prototype errors are byte columns in the file's line.
 * - inih reads lines of at most ini_max_line - 1 bytes (199 on Debian, in a
 *   buffer on its stack). A longer line, of any length, is handed to inih
 *   as a short stand-in, "key = \x01" (a section as "[-]"), and the handler
 *   takes the value from the whole line, which the reader keeps: one-line
 *   prototypes with many arguments need no folding, a C++ function's name
 *   may run to thousands of characters, and inih still needs no malloc.
 *   The reader's line grows past LINE_BYTES only for such a line. Values
 *   other than a prototype and a section's name are still bounded
 *   (LINE_BYTES - 1).
 * - A NUL byte anywhere in a line is an error too: inih would cut the line
 *   there, silently (`namespace = a\0b` would be `a`).
 */
#include "config/config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "config/strpool.h"
#include "config/types.h"

enum value_kind { V_STRING, V_PATH, V_INT_POS, V_SIZE, V_BOOL, V_SECONDS, V_SECONDS_POS,
		  V_RTOL, V_REPS, V_FRACTION, V_MECH, V_LIST, V_RULE, V_PROTO };

struct key {
	const char *name;
	uint8_t kind;		/* enum value_kind */
	size_t off;		/* where it goes in struct cache_config / function_config */
	size_t cap;		/* V_STRING, V_PATH, V_LIST (each a const char * into
				 * the config's names): the longest value's length + 1;
				 * a V_PATH of 0 is stats */
};

#define CK(n, k, f) { n, k, offsetof(struct cache_config, f), sizeof(((struct cache_config *)0)->f) }
/* a string, kept in the config's names: its longest length + 1 */
#define CS(n, k, f, cap) { n, k, offsetof(struct cache_config, f), cap }
static const struct key cache_keys[] = {
	CS("dir", V_PATH, dir, PATH_MAX),
	CS("servers", V_LIST, servers, 1024),
	CK("connect_timeout_ms", V_INT_POS, connect_timeout_ms),
	CK("timeout_ms", V_INT_POS, timeout_ms),
	CK("timeout_max_ms", V_INT_POS, timeout_max_ms),
	CK("max_size", V_SIZE, max_size),
	CK("small_store", V_BOOL, small_store),
	{ "stats", V_PATH, offsetof(struct cache_config, stats), 0 },
	CS("namespace", V_STRING, namespace_, 256),
	CS("secret_file", V_PATH, secret_file, PATH_MAX),
	CS("sasl_user", V_STRING, sasl_user, 256),
	CS("sasl_password_file", V_PATH, sasl_password_file, PATH_MAX),
};
#define NCACHE_KEYS (sizeof cache_keys / sizeof cache_keys[0])

/* prototype, ignore_args and return are kept as text until the section ends:
 * the keys of a section come in any order. */
#define FK(n, k, f) { n, k, offsetof(struct function_config, f), sizeof(((struct function_config *)0)->f) }
#define FS(n, k, f, cap) { n, k, offsetof(struct function_config, f), cap }
static const struct key function_keys[] = {
	{ "prototype", V_PROTO, 0, 0 },
	{ "ignore_args", V_RULE, 0, 0 },
	FK("time_threshold", V_SECONDS, time_threshold),
	FK("allow_repeated_evaluations", V_BOOL, repeated),
	FK("rtol_stderr", V_RTOL, rtol_stderr),
	FK("min_repetitions", V_REPS, min_repetitions),
	FK("max_repetitions", V_REPS, max_repetitions),
	FK("mechanism", V_MECH, mechanism),
	FS("object", V_STRING, object, CONFIG_OBJECT_MAX),
	{ "return", V_RULE, 0, 0 },
	FK("single_flight", V_BOOL, single_flight),
	FK("single_flight_wait_s", V_SECONDS_POS, single_flight_wait_s),
	FK("verify", V_FRACTION, verify),
	FS("globals", V_LIST, globals, CONFIG_GLOBALS_MAX),
};
#define NFUNCTION_KEYS (sizeof function_keys / sizeof function_keys[0])
enum { CKEY_TIMEOUT = 3, CKEY_TIMEOUT_MAX = 4, CKEY_SASL_USER = 10, CKEY_SASL_PASSWORD_FILE = 11 };
enum { FKEY_PROTOTYPE = 0, FKEY_IGNORE = 1, FKEY_MIN = 5, FKEY_MAX = 6, FKEY_RETURN = 9,
       FKEY_REPEATED = 3, FKEY_SINGLE_FLIGHT = 10, FKEY_VERIFY = 12 };

/* Room for a line, and so for any value but a prototype (inih's lines are
 * 200 bytes): the buffers are no bigger, as each page of stack a start
 * touches costs; a longer line is read into scratch memory. */
#define LINE_BYTES 1024
#define MAX_KEYS 16
#define MAX_PROTO_LINES 32

enum section { SEC_NONE, SEC_CACHE, SEC_FUNCTION, SEC_TYPES, SEC_IGNORED };
enum line_kind { LINE_OTHER, LINE_PAIR, LINE_CONTINUATION };

/* A [function] section met so far, for duplicates. */
struct seen {
	struct seen *next;
	const char *symbol;	/* in the config's pool: lives as long as it */
	const char *version;	/* likewise */
	const char *file;	/* the loader's file name, kept until the end */
	int line;
};

/* A file of a folder, while the folder is listed. */
struct name {
	struct name *next;
	char path[];
};

/* Scratch memory past the loader's arena. */
struct spill {
	struct spill *next;
	max_align_t data[];
};

/* An error of the file being read, printed when the file ends. */
struct pending {
	int line, col, seq;
	char *msg;
};

struct loader {
	struct memo_config *cfg;
	int errors;
	struct pending *pending;
	int npending;

	/* The file being read. */
	const char *file;		/* as named to the user */
	const char *file_kept;		/* its copy in the names' pool, once a function needs it */
	int fd;
	bool regular;			/* a regular file (a folder's listing said so) */
	bool at_end;			/* a regular file's read came short: its end */
	bool read_error;
	bool have_folder;		/* folder is known (find_folder) */
	bool dir_set;			/* [cache] dir was written: no default wanted */
	int lineno;
	int nul_col;			/* the line's first NUL byte, its column; 0 none */
	char *line;			/* the line being read: raw, or longer (scratch) */
	size_t line_cap;
	char *given;			/* the buffer inih reads the line from */
	char *long_value;		/* a line too long for inih: its value, in raw */
	int long_col;			/* and that value's column */
	enum line_kind kind;		/* of the line inih is handling */
	bool prev_key;			/* inih's prev_name is set: indented lines continue */
	int last_key;			/* the key an indented line continues; -1 none */

	/* The section being read. */
	enum section sec;
	int sec_line;
	bool sec_dup;			/* a duplicate [function]: checked, not kept */
	int key_line[MAX_KEYS];		/* 0 = not set in this section */
	int key_col[MAX_KEYS];		/* its value's column, for messages */
	struct function_config *fn;	/* [function]: cfg->funcs[cfg->nfuncs], filled in place */
	bool fn_dirty;			/* that entry holds a refused section's values */
	size_t proto_len;		/* in proto_text */
	char *proto_text;		/* proto_none, then in the arena (proto_append) */
	size_t proto_cap;
	char proto_none[1];		/* the text before a prototype is met: "" */
	struct { int line, col; size_t off; } seg[MAX_PROTO_LINES];
	int nseg;

	struct seen *seen;		/* a list, the latest first */
	size_t at, end;			/* what buf holds yet */
	size_t arena_used;
	struct spill *spill;

	/* The buffers, last: config_load clears what comes before only, and
	 * each is written before it is read (ignore_args and return_rule only
	 * when their key_line is set). Those every load uses come first, and
	 * their used starts share a page: a page touched is a page fault
	 * (~2 us), and a config of a few small files touches the loader's
	 * first page only (the header, the line, the read, the arena's start). */
	/* The file read with read(2), not stdio: fopen, getline and fclose cost
	 * every process ~10 us of first calls. A config file is a few hundred
	 * bytes: a read of 1 KiB takes it whole. */
	char raw[LINE_BYTES];		/* the line being read, where it fits */
	char buf[1024] __attribute__((aligned(8)));	/* also a folder's entries */
	/* The scratch memory of one load (scratch_alloc): no malloc for a
	 * process whose config is a few files. The prototype's text too. */
	char arena[16384] __attribute__((aligned(16)));
	char folder[PATH_MAX];		/* the file's folder, absolute: base of relative
					 * paths; found when one needs it */
	char ignore_args[LINE_BYTES];
	char return_rule[LINE_BYTES];
};

/* Memory until config_load returns: from the arena, or malloc past it. A
 * process that memoizes nothing then never starts malloc (its arena, a
 * random tcache key and two brk calls: ~9 us of its start). */
static void *scratch_alloc(struct loader *L, size_t n)
{
	struct spill *s;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (n <= sizeof L->arena - L->arena_used) {
		L->arena_used += n;
		return L->arena + L->arena_used - n;
	}
	if (!(s = malloc(sizeof *s + n)))
		return NULL;
	s->next = L->spill;
	L->spill = s;
	return s->data;
}

static void report(struct loader *L, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A file's errors are held until its end and printed in line order: some
 * are found only when a section ends (a missing or bad prototype), and a
 * reader goes through the file from the top. A function's name is cut at
 * 200 characters in them ('%.200s'): a C++ one may have thousands, and
 * the message must still be read to its end. */
static void report(struct loader *L, int line, int col, const char *fmt, ...)
{
	struct pending *more = realloc(L->pending, (L->npending + 1) * sizeof *more);
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	L->errors++;
	if (!more) {
		log_error("%s:%d: %s", L->file, line, msg);
		return;
	}
	L->pending = more;
	more += L->npending;
	more->line = line;
	more->col = col;
	more->seq = L->npending++;
	if (!(more->msg = strdup(msg))) {
		L->npending--;
		log_error("%s:%d: %s", L->file, line, msg);
	}
}

static int by_line(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_errors(struct loader *L)
{
	int i;

	if (L->npending)
		qsort(L->pending, L->npending, sizeof *L->pending, by_line);
	for (i = 0; i < L->npending; i++) {
		struct pending *e = &L->pending[i];

		if (e->col > 0)
			log_error("%s:%d:%d: %s", L->file, e->line, e->col, e->msg);
		else
			log_error("%s:%d: %s", L->file, e->line, e->msg);
		free(e->msg);
	}
	L->npending = 0;
}

/* snprintf for "%s" and "%.*s" only, with the same result: printf's
 * machinery is a first call (~6 us) for most of the processes that read a
 * config, for what are copies. */
static int copyf(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int copyf(char *dst, size_t cap, const char *fmt, ...)
{
	size_t n = 0, len;
	const char *s;
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (!strncmp(fmt, "%s", 2)) {
			s = va_arg(ap, const char *);
			len = strlen(s);
			fmt++;
		} else if (!strncmp(fmt, "%.*s", 4)) {
			int prec = va_arg(ap, int);

			s = va_arg(ap, const char *);
			/* not strnlen: one import less to resolve at start */
			for (len = 0; (prec < 0 || len < (size_t)prec) && s[len]; len++)
				;
			fmt += 3;
		} else {
			s = fmt;
			len = 1;
		}
		if (n + 1 < cap)
			memcpy(dst + n, s, len < cap - 1 - n ? len : cap - 1 - n);
		n += len;
	}
	va_end(ap);
	if (cap)
		dst[n < cap ? n : cap - 1] = '\0';
	return (int)n;
}

/* ---- small parsers ---- */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "2G", "1.5G", "512M", "100k", "12345" -> bytes (a fraction needs a unit,
 * and is taken to the byte below); -1 on error. */
int64_t config_parse_size(const char *s)
{
	static const char units[] = "kmgt";
	const char *u;
	char *end;
	unsigned long long v, frac = 0, scale = 1;
	int shift = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == '.') {
		for (end++; isdigit((unsigned char)*end); end++) {
			if (scale >= 1000000000ULL)
				return -1;	/* more digits than any size needs */
			frac = frac * 10 + (unsigned long long)(*end - '0');
			scale *= 10;
		}
		if (scale == 1)
			return -1;	/* "1." */
	}
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		shift = 10 * (int)(u - units + 1);
		end++;
		/* 2G, 2GB and 2GiB are all 2 GiB: sizes here are binary. */
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	} else if (*end == 'B') {
		end++;
	}
	if (*end || v > (unsigned long long)INT64_MAX >> shift || (scale > 1 && !shift))
		return -1;
	/* frac < scale <= 10^9 and shift <= 40: frac << shift fits 64 bits */
	return (int64_t)((v << shift) + (frac << shift) / scale);
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(s, no[i]))
			return *out = false, 0;
	}
	return -1;
}

/* The whole text must be the number: "0.3s" and "1e" are refused. */
static int parse_double(const char *s, double *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return *end || errno || !isfinite(*out) ? -1 : 0;
}

static int parse_int(const char *s, long lo, int *out)
{
	char *end;
	long v;

	if (!*s || !(isdigit((unsigned char)*s) || *s == '-' || *s == '+'))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < lo || v > INT32_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static bool is_ident(const char *s, size_t n)
{
	size_t i;

	if (!n || isdigit((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

bool config_cxx_name(const char *symbol)
{
	return strstr(symbol, "::") || strchr(symbol, '(');
}

/* A C++ function as g++ prints it demangled: `model::energy`, or with the
 * parameter list that picks one overload, `model::energy(double const*,
 * unsigned long)` (find/cxx_name.c matches it). */
static bool is_cxx_name(const char *s)
{
	if (!config_cxx_name(s) || !isalpha((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_:()<>,*&[] ~", *s))
			return false;
	return true;
}

/* The prototype names `model::energy` for [function model::energy(double
 * const*, unsigned long)]: the section's name without its parameter list. */
static bool cxx_name_agrees(const char *proto_name, const char *symbol)
{
	size_t n = strcspn(symbol, "(");

	return symbol[n] && strlen(proto_name) == n && !strncmp(proto_name, symbol, n);
}

int config_edit_distance(const char *a, const char *b)
{
	int la = strlen(a), lb = strlen(b), i, j;
	int d[64][64];

	if (la >= 64 || lb >= 64)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

static const char *closest(const char *name, const struct key *keys, size_t n)
{
	const char *best = NULL;
	int bestd = 3;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = config_edit_distance(name, keys[i].name);
		if (d < bestd)
			bestd = d, best = keys[i].name;
	}
	return best;
}

static const struct key *find_key(const char *name, const struct key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, keys[i].name))
			return &keys[i];
	return NULL;
}

/* Only for a relative path: realpath walks every folder of the name, and
 * most processes reading a config need none. */
static void find_folder(struct loader *L)
{
	char real[PATH_MAX], *slash;

	if (realpath(L->file, real)) {
		slash = strrchr(real, '/');
		copyf(L->folder, sizeof L->folder, "%.*s", slash > real ? (int)(slash - real) : 1, real);
	} else {
		copyf(L->folder, sizeof L->folder, ".");
	}
	L->have_folder = true;
}

/* "dir = cache" in /a/memo.d/cache.conf is /a/memo.d/cache; "~/x" is $HOME/x. */
static int resolve_path(struct loader *L, const char *v, char *dst, size_t cap)
{
	const char *home = getenv("HOME");
	int n;

	if (v[0] == '/' || !*v) {
		n = copyf(dst, cap, "%s", v);
	} else if (v[0] == '~' && v[1] == '/' && home && *home) {
		n = copyf(dst, cap, "%s%s", home, v + 1);
	} else {
		if (!L->have_folder)
			find_folder(L);
		n = copyf(dst, cap, "%s/%s", L->folder, v);
	}
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* "host:port, [::1]:port, /socket": each entry checked, the text kept. */
static int check_servers(struct loader *L, int line, const char *list)
{
	char buf[4096], *save = NULL, *item;
	int bad = 0;

	if (!*list)
		return 0;	/* no memcached */
	if (strstr(list, ",,") || list[strlen(list) - 1] == ',' || list[0] == ',') {
		report(L, line, 0, "empty entry in 'servers'");
		bad = -1;
	}
	copyf(buf, sizeof buf, "%s", list);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *host = trim(item), *port = NULL;
		size_t hl;

		if (*host == '/')
			continue;
		if (*host == '[') {
			char *close = strchr(host, ']');
			if (!close || (close[1] && close[1] != ':'))
				goto bad;
			port = close[1] ? close + 2 : NULL;
			hl = close - host - 1;
		} else {
			port = strchr(host, ':');
			hl = port ? (size_t)(port - host) : strlen(host);
			if (port)
				port++;
		}
		if (!hl || strcspn(host, " \t") < strlen(host))
			goto bad;
		if (port) {
			int p;
			if (parse_int(port, 1, &p) < 0 || p > 65535 || !isdigit((unsigned char)*port))
				goto bad;
		}
		continue;
bad:
		report(L, line, 0, "bad server '%s' in 'servers' (write HOST:PORT, HOST or /SOCKET)", host);
		bad = -1;
	}
	return bad;
}

/* "a, b": every entry a symbol name: a C identifier, or GCC's name of a
 * function's static variable (buf.0), which `memo inspect` reports. */
static int check_names(struct loader *L, int line, const char *key, const char *list)
{
	char buf[4096], *save = NULL, *item;
	int bad = 0, n = 0;

	copyf(buf, sizeof buf, "%s", list);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		item = trim(item);
		n++;
		if (!is_ident(item, strcspn(item, ".")) ||
		    strspn(item + strcspn(item, "."), ".0123456789") < strlen(item + strcspn(item, "."))) {
			report(L, line, 0, "bad name '%s' in '%s'", item, key);
			bad = -1;
		}
	}
	if (!n) {
		report(L, line, 0, "'%s' is empty", key);
		bad = -1;
	}
	return bad;
}

/* ---- values ---- */

/* config_set_trace's listener: memo config's, else none. */
static config_trace_fn *trace;
static void *trace_ctx;

void config_set_trace(config_trace_fn *fn, void *ctx)
{
	trace = fn;
	trace_ctx = ctx;
}

const char *config_key_name(bool function, int i)
{
	if (i < 0 || i >= (int)(function ? NFUNCTION_KEYS : NCACHE_KEYS))
		return NULL;
	return (function ? function_keys : cache_keys)[i].name;
}

/* A size as it would be written: the largest binary unit that divides it. */
static void format_size(uint64_t v, char *out, size_t n)
{
	static const char units[] = " KMGT";
	int u = 0;

	while (u < 4 && v && !(v & 1023))
		v >>= 10, u++;
	if (u)
		snprintf(out, n, "%llu%c", (unsigned long long)v, units[u]);
	else
		snprintf(out, n, "%llu", (unsigned long long)v);
}

void config_format(bool function, int i, const void *section, char *out, size_t n)
{
	const struct key *k = &(function ? function_keys : cache_keys)[i];
	const char *field = (const char *)section + k->off;

	switch (k->kind) {
	case V_PATH: case V_STRING: case V_LIST:
		snprintf(out, n, "%s", *(const char *const *)field);
		break;
	case V_INT_POS: case V_REPS:
		snprintf(out, n, "%d", *(const int *)field);
		break;
	case V_SIZE:
		format_size(*(const uint64_t *)field, out, n);
		break;
	case V_BOOL:
		snprintf(out, n, "%s", *(const bool *)field ? "yes" : "no");
		break;
	case V_SECONDS: case V_SECONDS_POS: case V_RTOL: case V_FRACTION:
		snprintf(out, n, "%g", *(const double *)field);
		break;
	case V_MECH:
		snprintf(out, n, "%s", (const char *[]){ "auto", "inline", "got" }[*(const int *)field]);
		break;
	default:	/* prototype, ignore_args, return: told by the trace only */
		snprintf(out, n, "%s", "");
		break;
	}
}

/* One line of a prototype, v[0..n); the pieces are joined with a space,
 * and each remembers where it starts in the file, for the columns of
 * errors. The text's room is in the arena, kept for the next prototype,
 * and grows for a longer one (a long C++ name). */
static void proto_append(struct loader *L, const char *v, size_t n, int col)
{
	if (L->nseg == MAX_PROTO_LINES) {
		report(L, L->lineno, 0, "'prototype' is too long (more than %d lines)", MAX_PROTO_LINES);
		return;
	}
	if (L->proto_len + n + 2 > L->proto_cap) {
		size_t cap = 2 * (L->proto_len + n + 2);
		char *more = scratch_alloc(L, cap);

		if (!more) {
			report(L, L->lineno, 0, "out of memory");
			return;
		}
		memcpy(more, L->proto_text, L->proto_len);
		L->proto_text = more;
		L->proto_cap = cap;
	}
	if (L->proto_len)
		L->proto_text[L->proto_len++] = ' ';
	L->seg[L->nseg].line = L->lineno;
	L->seg[L->nseg].col = col;
	L->seg[L->nseg].off = L->proto_len;
	L->nseg++;
	memcpy(L->proto_text + L->proto_len, v, n);
	L->proto_len += n;
	L->proto_text[L->proto_len] = '\0';
}

/* A value kept in the names' pool, as *field. */
static void set_string(struct loader *L, void *field, const char *v)
{
	if (!(*(const char **)field = *v ? strpool_add(&L->cfg->names, v, strlen(v)) : ""))
		report(L, L->lineno, 0, "out of memory");
}

/* A path resolved (resolve_path) where it stays, in the names' pool: room
 * for the longest taken there, the rest given back (a PATH_MAX array on
 * the stack would make every start's parse a page of stack deeper, and
 * one in scratch memory would push what follows it to the next page). */
static void set_path(struct loader *L, const struct key *k, void *field, const char *v)
{
	char *path = strpool_alloc(&L->cfg->names, k->cap);

	if (!path) {
		report(L, L->lineno, 0, "out of memory");
		return;
	}
	if (resolve_path(L, v, path, k->cap) < 0) {
		strpool_shrink(&L->cfg->names, path, k->cap, 0);
		report(L, L->lineno, 0, "'%s' is longer than %zu characters", k->name, k->cap - 1);
		return;
	}
	strpool_shrink(&L->cfg->names, path, k->cap, strlen(path) + 1);
	*(const char **)field = path;
}

/* `stats`: "off", "stderr" or a path. */
static void set_stats(struct loader *L, void *field, const char *v)
{
	static const struct key stats_path = { "stats", V_PATH, 0, PATH_MAX };

	if (!strcmp(v, "off") || !strcmp(v, "stderr")) {
		*(const char **)field = !strcmp(v, "off") ? "off" : "stderr";
		return;
	}
	if (!*v) {
		report(L, L->lineno, 0, "'stats' must be stderr, off or a FILE.jsonl");
		return;
	}
	set_path(L, &stats_path, field, v);
}

static void set_value(struct loader *L, const struct key *k, const char *v)
{
	char *base = L->sec == SEC_CACHE ? (char *)&L->cfg->cache : (char *)L->fn;
	void *field = base + k->off;
	int line = L->lineno;
	bool b;
	double d;
	int64_t size;

	switch (k->kind) {
	case V_STRING:
	case V_LIST:
		if (strlen(v) >= k->cap) {
			report(L, line, 0, "'%s' is longer than %zu characters", k->name, k->cap - 1);
			return;
		}
		if (k->kind == V_LIST && (!strcmp(k->name, "servers") ? check_servers(L, line, v) :
					  check_names(L, line, k->name, v)) < 0)
			return;
		set_string(L, field, v);
		return;
	case V_PATH:
		if (!k->cap) {	/* stats */
			set_stats(L, field, v);
			return;
		}
		if (field == &L->cfg->cache.dir)
			L->dir_set = true;
		if (!*v || (!strcmp(k->name, "dir") && !strcmp(v, "off")))
			*(const char **)field = "";
		else
			set_path(L, k, field, v);
		return;
	case V_INT_POS:
		if (parse_int(v, 1, field) < 0)
			report(L, line, 0, "'%s' must be a whole number of milliseconds above 0, not '%s'",
			       k->name, v);
		return;
	case V_REPS:
		if (parse_int(v, 1, field) < 0)
			report(L, line, 0, "'%s' must be a whole number, 1 or more, not '%s'", k->name, v);
		return;
	case V_SIZE:
		size = config_parse_size(v);
		if (size <= 0)
			report(L, line, 0, "'%s' must be a size above 0 such as 512M, 1.5G or 2G "
			       "(a fraction needs a unit), not '%s'", k->name, v);
		else
			*(uint64_t *)field = (uint64_t)size;
		return;
	case V_BOOL:
		if (parse_bool(v, &b) < 0)
			report(L, line, 0, "'%s' must be yes or no (true/false, on/off, 1/0), not '%s'",
			       k->name, v);
		else
			*(bool *)field = b;
		return;
	case V_SECONDS:
	case V_SECONDS_POS:
	case V_RTOL:
	case V_FRACTION:
		if (parse_double(v, &d) < 0 || d < 0 || (d == 0 && k->kind != V_SECONDS &&
							 k->kind != V_FRACTION) ||
		    (k->kind == V_FRACTION && d > 1)) {
			report(L, line, 0, "'%s' must be %s, not '%s'", k->name,
			       k->kind == V_SECONDS ? "a number of seconds, 0 or more" :
			       k->kind == V_SECONDS_POS ? "a number of seconds above 0" :
			       k->kind == V_RTOL ? "a number above 0" :
			       "a fraction from 0 to 1", v);
			return;
		}
		*(double *)field = d;
		return;
	case V_MECH:
		if (!strcmp(v, "auto"))
			L->fn->mechanism = MECH_AUTO;
		else if (!strcmp(v, "inline"))
			L->fn->mechanism = MECH_INLINE;
		else if (!strcmp(v, "got"))
			L->fn->mechanism = MECH_GOT;
		else
			report(L, line, 0, "'mechanism' must be auto, inline or got, not '%s'", v);
		return;
	case V_RULE:
		copyf(k == &function_keys[FKEY_IGNORE] ? L->ignore_args : L->return_rule,
			 k == &function_keys[FKEY_IGNORE] ? sizeof L->ignore_args : sizeof L->return_rule,
			 "%s", v);
		return;
	case V_PROTO:	/* taken by on_value itself: of any length */
		return;
	}
}

/* `struct NAME = { fields }` of a [types] section; an error points at the
 * key, or at its place in the value. */
static void declare_type(struct loader *L, const char *key, const char *value, int col)
{
	struct proto_error err;

	if (types_declare(&L->cfg->types, key, value, L->file, L->lineno, &err) < 0)
		report(L, L->lineno, err.col ? col + err.col - 1 : (int)(key - L->given) + 1, "%s",
		       err.msg);
}

/* Called by inih for each "key = value" line and each continuation line. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct loader *L = user;
	const struct key *k, *other;
	const struct key *keys = L->sec == SEC_CACHE ? cache_keys : function_keys;
	size_t nkeys = L->sec == SEC_CACHE ? NCACHE_KEYS : NFUNCTION_KEYS;
	char v[LINE_BYTES];
	const char *hint;
	int col, idx;
	size_t n;

	(void)section;	/* ours is better: inih's is cut at 49 characters */
	if (L->long_value) {
		value = L->long_value;
		col = L->long_col;
	} else {
		col = (int)(value - L->given) + 1;
	}
	if (L->kind == LINE_CONTINUATION) {
		if (L->sec == SEC_TYPES)
			report(L, L->lineno, 0, "a [types] declaration cannot continue on an indented "
			       "line (write it on one line)");
		else if (L->last_key == FKEY_PROTOTYPE && L->sec == SEC_FUNCTION)
			proto_append(L, value, strlen(value), col);
		else if (L->last_key >= 0)
			report(L, L->lineno, 0, "'%s' cannot continue on an indented line (only 'prototype' can)",
			       name);
		return 1;
	}
	L->last_key = -1;
	if (L->sec == SEC_IGNORED)
		return 1;
	if (!*name) {
		report(L, L->lineno, 0, "missing key before '='");
		return 1;
	}
	if (L->sec == SEC_NONE) {
		report(L, L->lineno, 0, "'%s' is outside any section (start with '[cache]' or '[function NAME]')",
		       name);
		return 1;
	}
	if (L->sec == SEC_TYPES) {
		declare_type(L, name, value, col);
		return 1;
	}
	k = find_key(name, keys, nkeys);
	if (!k) {
		other = L->sec == SEC_CACHE ? find_key(name, function_keys, NFUNCTION_KEYS) :
					      find_key(name, cache_keys, NCACHE_KEYS);
		if (other)
			report(L, L->lineno, 0, "'%s' belongs in %s, not in this [%s] section", name,
			       L->sec == SEC_CACHE ? "a [function NAME] section" : "[cache]",
			       L->sec == SEC_CACHE ? "cache" : "function");
		else if ((hint = closest(name, keys, nkeys)))
			report(L, L->lineno, 0, "unknown key '%s' (did you mean '%s'?)", name, hint);
		else
			report(L, L->lineno, 0, "unknown key '%s' in [%s]", name,
			       L->sec == SEC_CACHE ? "cache" : "function");
		return 1;
	}
	idx = (int)(k - keys);
	if (L->key_line[idx]) {
		report(L, L->lineno, 0, "'%s' is set twice (first at line %d)", name, L->key_line[idx]);
		return 1;
	}
	L->key_line[idx] = L->lineno;
	L->key_col[idx] = col;
	L->last_key = idx;
	/* A value wholly in double quotes stands for what is inside. */
	n = strlen(value);
	if (k->kind == V_PROTO) {	/* of any length: a C++ name may be thousands */
		bool quoted = n >= 2 && value[0] == '"' && value[n - 1] == '"';

		L->proto_len = 0;
		L->nseg = 0;
		proto_append(L, value + quoted, n - 2 * quoted, col + quoted);
		return 1;
	}
	if (n >= sizeof v) {
		report(L, L->lineno, 0, "'%s' is too long", name);
		return 1;
	}
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		memcpy(v, value + 1, n - 2);
		v[n - 2] = '\0';
		col++;
	} else {
		memcpy(v, value, n + 1);
	}
	if (trace)
		trace(trace_ctx, L->sec == SEC_CACHE ? NULL : L->fn->symbol,
		      L->sec == SEC_CACHE ? "" : L->fn->version, k->name, L->file, L->lineno, v);
	set_value(L, k, v);
	return 1;
}

/* ---- sections ---- */

static void section_reset(struct loader *L, enum section sec, int line)
{
	L->sec = sec;
	L->sec_line = line;
	L->sec_dup = false;
	L->last_key = -1;
	memset(L->key_line, 0, sizeof L->key_line);
	L->proto_len = 0;
	L->proto_text[0] = '\0';
	L->nseg = 0;
}

/* The file being read's name, kept once per file in the names' pool. */
static const char *kept_file(struct loader *L)
{
	if (!L->file_kept)
		L->file_kept = strpool_add(&L->cfg->names, L->file, strlen(L->file));
	return L->file_kept ? L->file_kept : "?";
}

/*
 * cfg->funcs is mapped, not malloc'ed, and each [function] is read straight
 * into the next free entry: the pages of a fresh mapping are zero and cost
 * nothing until written, and a process that memoizes nothing never starts
 * malloc. Returns that entry, or NULL (out of memory, reported).
 */
static struct function_config *function_slot(struct loader *L, int line)
{
	struct memo_config *cfg = L->cfg;
	struct function_config *fn;

	if (!cfg->funcs && cfg->room) {
		cfg->funcs = cfg->room->funcs;
		cfg->funcs_cap = CONFIG_ROOM_FUNCS;
		L->fn_dirty = false;
	}
	if (cfg->nfuncs == cfg->funcs_cap) {
		/* room for 64 at first: pages never written cost nothing, and a
		 * growth (mremap) costs a start more than a mapping of 90 KB */
		int cap = cfg->funcs_cap ? 2 * cfg->funcs_cap : CONFIG_ROOM_FUNCS;
		size_t old = cfg->funcs_cap * sizeof *fn, size = cap * sizeof *fn;
		bool in_room = cfg->room && cfg->funcs == cfg->room->funcs;
		void *m = cfg->funcs && !in_room ? mremap(cfg->funcs, old, size, MREMAP_MAYMOVE) :
						   mmap(NULL, size, PROT_READ | PROT_WRITE,
							MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			report(L, line, 0, "out of memory");
			return NULL;
		}
		if (in_room)
			memcpy(m, cfg->funcs, old);
		cfg->funcs = m;
		cfg->funcs_cap = cap;
		L->fn_dirty = false;	/* the free entry is a new one */
	}
	fn = &cfg->funcs[cfg->nfuncs];
	if (L->fn_dirty)
		memset(fn, 0, sizeof *fn);
	L->fn_dirty = true;	/* until finish_function keeps it */
	fn->rtol_stderr = 0.1;
	fn->min_repetitions = 3;
	fn->max_repetitions = 100;
	fn->single_flight_wait_s = 10;
	fn->mechanism = MECH_AUTO;
	fn->version = fn->object = fn->globals = "";
	fn->file = kept_file(L);
	fn->line = line;
	return fn;
}

/* A column of the prototype's text in the file: the piece (line) it falls in. */
static struct config_pos proto_pos(const struct loader *L, int col)
{
	size_t off = col > 0 ? (size_t)col - 1 : 0;
	int i = 0;

	while (i + 1 < L->nseg && L->seg[i + 1].off <= off)
		i++;
	return (struct config_pos){ L->seg[i].line, L->seg[i].col + (int)(off - L->seg[i].off) };
}

static void report_proto(struct loader *L, const struct proto_error *e)
{
	struct config_pos at = proto_pos(L, e->col);

	report(L, at.line, at.col, "%s", e->msg);
}

static bool numeric(const struct scalar_type *t)
{
	return t->cls == SC_SINT || t->cls == SC_UINT || t->cls == SC_FLOAT;
}

/* Whether argument i is named in any argument's length. */
static bool named_in_length(const struct proto *p, int i)
{
	for (int a = 0; a < p->nargs; a++)
		for (int c = 0; c < p->args[a].len.n; c++)
			if (p->args[a].len.code[c].op == LEN_ARG && p->args[a].len.code[c].val == i)
				return true;
	return false;
}

/*
 * `const double *x` is one value passed by reference: right for Fortran and
 * LAPACK, whose names end in '_', and for a scalar a length names. Elsewhere
 * it may be a C array whose length is another argument, keyed by its first
 * element alone: wrong results. Said at load, with the two spellings that
 * say which it is (`x[1]` is the same key for one value).
 */
static void warn_by_reference(struct loader *L, const struct proto *p)
{
	size_t n = strlen(p->name);

	if (n && p->name[n - 1] == '_')
		return;
	for (int i = 0; i < p->nargs; i++) {
		struct config_pos at;

		if (p->args[i].kind != ARG_REF || named_in_length(p, i))
			continue;
		at = proto_pos(L, p->args[i].col);
		log_warn("%s:%d:%d: '%s' is taken as one value passed by reference, keyed by that "
			 "value alone; if '%.200s' takes an array there, give its length ('%s[n]'), or "
			 "write '%s[1]' to say it is one value", L->file, at.line, at.col,
			 p->args[i].name, p->name, p->args[i].name, p->args[i].name);
	}
}

static void finish_function(struct loader *L)
{
	struct function_config *fn = L->fn;
	struct proto *p = &fn->proto;
	struct proto_error err;
	int before = L->errors, pline = L->key_line[FKEY_PROTOTYPE], i;
	char buf[sizeof L->ignore_args], *save = NULL, *item;

	if (!pline) {
		report(L, L->sec_line, 0, "missing 'prototype' in [function %.200s]", fn->symbol);
		return;
	}
	if (proto_parse_typed(L->proto_text, p, &err, &L->cfg->names, &L->cfg->types) < 0) {
		report_proto(L, &err);
		return;
	}
	fn->proto_at = proto_pos(L, 1);
	for (i = 0; i < p->nargs; i++)
		fn->arg_at[i] = proto_pos(L, p->args[i].col);
	warn_by_reference(L, p);
	if (strcmp(p->name, fn->symbol) && !cxx_name_agrees(p->name, fn->symbol))
		report(L, pline, 0, "the prototype declares '%.200s', not '%.200s' of [function %.200s]", p->name,
		       fn->symbol, fn->symbol);
	if (trace)
		trace(trace_ctx, fn->symbol, fn->version, "prototype", L->file, pline, L->proto_text);

	if (L->key_line[FKEY_IGNORE]) {
		int n = 0;

		copyf(buf, sizeof buf, "%s", L->ignore_args);
		for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
			item = trim(item);
			n++;
			if (proto_ignore_arg(p, item) < 0)
				report(L, L->key_line[FKEY_IGNORE], 0,
				       "unknown argument '%s' in 'ignore_args' of '%.200s'", item, p->name);
		}
		if (!n)
			report(L, L->key_line[FKEY_IGNORE], 0, "'ignore_args' is empty");
	}

	if (L->key_line[FKEY_RETURN]) {
		if (proto_set_return(p, L->return_rule, &err) < 0)
			report(L, L->key_line[FKEY_RETURN], 0, "%s", err.msg);
	} else if (p->ret_kind == RET_POINTER_UNSET) {
		if (!strcmp(p->ret.canon, "str"))
			report(L, pline, 0, "'%.200s' returns a string: add 'return = static' (the caller does not "
			       "free it), 'return = malloc' (the caller frees it) or 'return = argument NAME'",
			       p->name);
		else
			report(L, pline, 0, "'%.200s' returns a pointer: add 'return = argument NAME' naming the "
			       "argument it returns", p->name);
	}

	if (fn->repeated) {
		int line = L->key_line[FKEY_REPEATED];

		if (p->ret_kind != RET_SCALAR || !numeric(&p->ret))
			report(L, line, 0, "repeated evaluations average the return value: '%.200s' must "
			       "return a number", p->name);
		for (i = 0; i < p->nargs; i++)
			if (p->args[i].kind == ARG_OUT || p->args[i].kind == ARG_INOUT)
				report(L, line, 0, "repeated evaluations cannot average the buffer '%s' of '%.200s'",
				       p->args[i].name, p->name);
		/* both are for deterministic functions: with repetitions on,
		 * every evaluation is wanted and a hit is a mean, not a result */
		if (fn->single_flight)
			report(L, L->key_line[FKEY_SINGLE_FLIGHT], 0, "'single_flight' is for "
			       "deterministic functions; with 'allow_repeated_evaluations' every "
			       "evaluation is wanted");
		if (fn->verify > 0)
			report(L, L->key_line[FKEY_VERIFY], 0, "'verify' recomputes hits of deterministic "
			       "functions; with 'allow_repeated_evaluations' a hit is a running mean");
	}
	if (fn->min_repetitions > fn->max_repetitions)
		report(L, L->key_line[FKEY_MAX] ? L->key_line[FKEY_MAX] : L->key_line[FKEY_MIN], 0,
		       "'min_repetitions' (%d) is above 'max_repetitions' (%d)", fn->min_repetitions,
		       fn->max_repetitions);

	if (L->errors == before && !L->sec_dup) {
		L->cfg->nfuncs++;	/* keep the entry it was read into */
		L->fn_dirty = false;
	}
}

static void finish_cache(struct loader *L)
{
	struct cache_config *c = &L->cfg->cache;

	/* The ceiling follows timeout_ms unless set: 10 x, room for a loaded
	 * node or a server a WAN away, and a stall still costs a bounded time. */
	if (!L->key_line[CKEY_TIMEOUT_MAX])
		c->timeout_max_ms = c->timeout_ms > INT_MAX / 10 ? INT_MAX : c->timeout_ms * 10;
	else if (c->timeout_max_ms < c->timeout_ms)
		report(L, L->key_line[CKEY_TIMEOUT_MAX], L->key_col[CKEY_TIMEOUT_MAX],
		       "'timeout_max_ms' (%d) is below 'timeout_ms' (%d): set it to %d or more, "
		       "or leave it out (10 x timeout_ms)", c->timeout_max_ms, c->timeout_ms,
		       c->timeout_ms);
	/* (strings not set are not read: a page of the struct apiece) */
	if ((L->key_line[CKEY_SASL_USER] || L->key_line[CKEY_SASL_PASSWORD_FILE]) &&
	    !!c->sasl_user[0] != !!c->sasl_password_file[0])
		report(L, L->sec_line, 0, "'sasl_user' and 'sasl_password_file' go together");
}

static void finish_section(struct loader *L)
{
	if (L->sec == SEC_FUNCTION)
		finish_function(L);
	else if (L->sec == SEC_CACHE)
		finish_cache(L);
	L->sec = SEC_NONE;
}

/* "[function NAME]" or "[function NAME@VERSION]" */
static void start_function(struct loader *L, char *what, int line)
{
	char *at = strchr(what, '@'), *ver = at ? at + 1 : "";
	struct seen *s;

	section_reset(L, SEC_FUNCTION, line);
	if (!(L->fn = function_slot(L, line))) {
		L->sec = SEC_IGNORED;
		return;
	}
	if (at)
		*at = '\0';
	what = trim(what);
	if (!*what) {
		report(L, line, 0, "missing function name in [function] (write '[function NAME]')");
		L->sec = SEC_IGNORED;
		return;
	}
	if (!(is_ident(what, strlen(what)) || is_cxx_name(what))) {
		report(L, line, 0, "bad function name '%.200s'", what);
		L->sec = SEC_IGNORED;
		return;
	}
	if (at && (!*ver || strlen(ver) >= CONFIG_VERSION_MAX ||
		   strspn(ver, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") <
		   strlen(ver))) {
		report(L, line, 0, "bad version '%s' in [function %.200s@%s]", ver, what, ver);
		L->sec = SEC_IGNORED;
		return;
	}
	if (!(L->fn->symbol = strpool_add(&L->cfg->names, what, strlen(what)))) {
		report(L, line, 0, "out of memory");
		L->sec = SEC_IGNORED;
		return;
	}
	if (!(L->fn->version = *ver ? strpool_add(&L->cfg->names, ver, strlen(ver)) : "")) {
		report(L, line, 0, "out of memory");
		L->sec = SEC_IGNORED;
		return;
	}
	for (s = L->seen; s; s = s->next)
		if (!strcmp(s->symbol, what) && !strcmp(s->version, ver)) {
			report(L, line, 0, "[function %.200s%s%s] is configured twice (first at %s:%d)", what,
			       at ? "@" : "", ver, s->file, s->line);
			L->sec_dup = true;
			return;
		}
	if (!(s = scratch_alloc(L, sizeof *s)))
		return;
	s->next = L->seen;
	L->seen = s;
	s->symbol = L->fn->symbol;
	s->version = L->fn->version;
	s->file = L->file;
	s->line = line;
}

static void start_section(struct loader *L, char *name, int line)
{
	struct cache_config *c = &L->cfg->cache;

	finish_section(L);
	name = trim(name);
	if (!strcmp(name, "cache")) {
		section_reset(L, SEC_CACHE, line);
		if (c->line) {
			report(L, line, 0, "a second [cache] section (the first is at %s:%d; keep the "
			       "cache settings in one file)", c->file, c->line);
			L->sec = SEC_IGNORED;
			return;
		}
		c->file = kept_file(L);
		c->line = line;
		return;
	}
	if (!strncmp(name, "function", 8) && (!name[8] || isspace((unsigned char)name[8]))) {
		start_function(L, name + 8, line);
		return;
	}
	if (!strcmp(name, "types")) {
		section_reset(L, SEC_TYPES, line);
		return;
	}
	section_reset(L, SEC_IGNORED, line);
	{
		char word[64];
		static const struct key sections[] = { { "cache", 0, 0, 0 }, { "function", 0, 0, 0 },
						       { "types", 0, 0, 0 } };
		const char *hint;

		snprintf(word, sizeof word, "%.*s", (int)strcspn(name, " \t"), name);
		hint = closest(word, sections, 3);
		if (hint)
			report(L, line, 0, "unknown section '[%s]' (did you mean '%s'?)", name, hint);
		else
			report(L, line, 0, "unknown section '[%s]' (use [cache], [function NAME] or [types])",
			       name);
	}
}

/* ---- the line reader ---- */

/* As inih finds the end of a name or a section: an inline comment is a ';'
 * after whitespace. (chars looked through here, not by a strchr call per
 * character of every line.) */
static const char *find_or_comment(const char *s, const char *chars)
{
	bool was_space = false;
	const char *c;

	for (; *s && !(was_space && *s == ';'); s++) {
		for (c = chars; *c && *c != *s; c++)
			;
		if (*c)
			break;
		was_space = isspace((unsigned char)*s);
	}
	return s;
}

/* A line longer than L->line holds: a buffer twice as long, in scratch
 * memory, kept for the lines after. Returns -1 out of memory. */
static int grow_line(struct loader *L, size_t n)
{
	size_t cap = 2 * L->line_cap;
	char *more = scratch_alloc(L, cap);

	if (!more)
		return -1;
	memcpy(more, L->line, n);
	L->line = more;
	L->line_cap = cap;
	return 0;
}

/* The next line into L->line, whole (then a NUL), without its newline and
 * the '\r's before it, and the column of its first NUL byte in L->nul_col
 * (0: none; inih would cut the line there). Returns its length, or -1 at
 * the end of the file, on a read error (then noted) or out of memory
 * (reported). */
static ssize_t next_line(struct loader *L)
{
	size_t n = 0, cr = 0;
	bool any = false;
	char c;

	L->nul_col = 0;
	for (;;) {
		if (L->at == L->end) {
			/* a regular file's read short of the buffer reached
			 * its end: the read of 0 would be a system call per
			 * file for nothing (11 of them for bench/run's "ten") */
			ssize_t r = L->at_end ? 0 : read(L->fd, L->buf, sizeof L->buf);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				L->read_error |= r < 0;
				if (!any)
					return -1;
				break;
			}
			L->at = 0;
			L->end = r;
			L->at_end = L->regular && (size_t)r < sizeof L->buf;
		}
		any = true;
		c = L->buf[L->at++];
		if (c == '\n')
			break;
		if (c == '\0' && !L->nul_col)
			L->nul_col = (int)n + 1;
		if (n == L->line_cap - 1 && grow_line(L, n) < 0) {
			report(L, L->lineno + 1, 0, "out of memory");
			return -1;
		}
		L->line[n++] = c;
		cr = c == '\r' ? cr + 1 : 0;
	}
	n -= cr;
	L->line[n] = '\0';
	return n;
}

/*
 * A line longer than inih reads: inih gets the line's first `keep` bytes (the
 * key and '=', or one byte of a continuation's indent, which may be longer
 * than inih's buffer) and "\x01"; on_value takes the value after `cut` from
 * the line itself, cut where inih would cut it: at an inline comment (';'
 * after a space), without the spaces around it.
 */
static char *stand_in(struct loader *L, char *line, char *cut, size_t keep, char *str)
{
	char *v = cut, *e;

	while (isspace((unsigned char)*v))
		v++;
	e = (char *)find_or_comment(v, "");
	while (e > v && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	L->long_value = v;
	L->long_col = (int)(v - line) + 1;
	memcpy(str, line, keep);
	strcpy(str + keep, " \x01");
	return str;
}

/*
 * inih's ini_reader. Reads one whole line, classifies it as inih will (a
 * comment, a continuation, a section, a pair), handles sections itself, and
 * hands inih the line — or an empty one for a line it would misread (too
 * long) or refuse (no '=', no ']'), which is reported here with its line.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *L = stream;
	ssize_t n = next_line(L);
	char *line, *start;
	const char *end;

	if (n < 0) {
		finish_section(L);
		return NULL;
	}
	L->lineno++;
	line = L->line;
	if (num > LINE_BYTES - 3)	/* a longer line is handed over as a stand-in */
		num = LINE_BYTES - 3;
	if (L->lineno == 1 && !strncmp(line, "\xef\xbb\xbf", 3))
		line += 3, n -= 3;
	L->given = str;
	L->kind = LINE_OTHER;
	L->long_value = NULL;
	str[0] = '\0';
	if (L->nul_col) {
		report(L, L->lineno, L->nul_col, "NUL byte in the line (a config is text: remove it; "
		       "a file saved as UTF-16 has one in every character, save it as UTF-8)");
		return str;
	}
	start = line;
	while (isspace((unsigned char)*start))
		start++;
	if (!*start || *start == ';' || *start == '#')
		return n < num ? strcpy(str, line) : strcpy(str, ";");
	if (L->prev_key && start > line) {
		L->kind = LINE_CONTINUATION;
		return n < num ? strcpy(str, line) : stand_in(L, line, start, 1, str);
	}
	if (*start == '[') {
		char *after;

		end = find_or_comment(start + 1, "]");
		if (*end != ']') {
			report(L, L->lineno, 0, "missing ']' in section header");
			return str;
		}
		if (n < num)	/* inih's copy, before the name is cut out of the line */
			strcpy(str, line);
		else
			strcpy(str, "[-]");
		after = (char *)end + 1;
		while (isspace((unsigned char)*after))
			after++;
		if (*after && *after != ';' && *after != '#')
			report(L, L->lineno, 0, "unexpected '%s' after ']'", after);
		*(char *)end = '\0';	/* the name, of any length, where it lies */
		L->prev_key = false;
		start_section(L, start + 1, L->lineno);
		return str;
	}
	end = find_or_comment(start, "=:");
	if (*end != '=' && *end != ':') {
		report(L, L->lineno, 0, "expected 'key = value', '[section]' or a comment, not '%s'", start);
		return str;
	}
	L->kind = LINE_PAIR;
	L->prev_key = true;
	if (n < num)
		return strcpy(str, line);
	if (end - line + 4 > num) {
		report(L, L->lineno, 0, "the key is longer than %d characters", num - 4);
		return str;
	}
	return stand_in(L, line, (char *)end + 1, (size_t)(end + 1 - line), str);
}

/* ---- files and folders ---- */

/* The file at `path`, open at `fd` already or (-1) not yet; `regular` when
 * known to be a regular file (a pipe's short read is no end). */
static void load_file(struct loader *L, const char *path, int fd, bool regular)
{
	int rc;

	L->file = path;	/* lives until config_load returns, as struct seen needs */
	L->file_kept = NULL;
	L->fd = fd >= 0 ? fd : open(path, O_RDONLY | O_CLOEXEC);
	L->regular = regular;
	L->at_end = false;
	L->read_error = false;
	L->at = L->end = 0;
	if (L->fd < 0) {
		log_error("'%s': cannot read: %s", path, strerror(errno));
		L->errors++;
		return;
	}
	L->have_folder = false;
	L->lineno = 0;
	L->prev_key = false;
	L->last_key = -1;
	L->sec = SEC_NONE;
	rc = ini_parse_stream(read_line, L, on_value, L);
	/* Every syntax error inih knows was refused by read_line first; this is
	 * only a safety net, should its rules differ from ours. */
	if (rc > 0)
		report(L, rc, 0, "syntax error");
	else if (rc < 0)
		report(L, L->lineno, 0, "cannot parse (inih error %d)", rc);
	if (L->read_error) {
		log_error("'%s': read error", path);
		L->errors++;
	}
	close(L->fd);
	flush_errors(L);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry's type, where the file system gives it, saves a stat (a link
 * is still followed). */
static bool regular_file(const struct dirent64 *e, const char *path)
{
	struct stat st;

	if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN)
		return stat(path, &st) == 0 && S_ISREG(st.st_mode);
	return e->d_type == DT_REG;
}

/* A *.conf file of a folder joins the list; *n counts them. Returns -1
 * out of memory (reported). */
static int list_entry(struct loader *L, const char *path, const struct dirent64 *e,
		      struct name **list, int *n)
{
	size_t len = strlen(e->d_name);
	bool slash = path[strlen(path) - 1] == '/';
	struct name *f;	/* (not on the stack: the whole parse runs below) */
	size_t size = strlen(path) + 1 + len + 1;

	if (e->d_name[0] == '.')
		return 0;
	if (len < 6 || strcmp(e->d_name + len - 5, ".conf")) {
		/* Named, never silently skipped: a config written as NAME.ini
		 * or NAME.cfg is a mistake worth a warning; anything else
		 * (a README) is said at MEMO_LOG=info. */
		const char *dot = strrchr(e->d_name, '.');
		bool looks = dot && (!strcmp(dot, ".ini") || !strcmp(dot, ".cfg") ||
				     !strcmp(dot, ".cnf"));

		log_msg(looks ? LOG_WARN : LOG_INFO, "'%s%s%s': not read: only *.conf files of a "
			"config folder are%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
			e->d_name, looks ? " (rename it to end in .conf)" : "");
		return 0;
	}
	if (!(f = scratch_alloc(L, sizeof *f + size))) {
		log_error("'%s': out of memory", path);
		L->errors++;
		return -1;
	}
	copyf(f->path, size, "%s%s%s", path, slash ? "" : "/", e->d_name);
	if (regular_file(e, f->path)) {
		f->next = *list;
		*list = f;
		(*n)++;
	}
	return 0;
}

/* Every *.conf of the folder open at `fd` (closed here), in byte order of
 * names (not the locale's), so the order is the same on every machine.
 * Hidden files are skipped (editor droppings such as .#simulate.conf).
 * Listed with getdents64 into the read buffer, free until the files are
 * read: opendir would add a 32 KB allocation and an fstat (~4 us). */
static void load_folder(struct loader *L, const char *path, int fd)
{
	struct name *list = NULL, *f;
	char **names;
	int n = 0, i, stop = 0;
	ssize_t got;
	size_t at;

	while (!stop && (got = getdents64(fd, L->buf, sizeof L->buf)) > 0)
		for (at = 0; !stop && at < (size_t)got;
		     at += ((const struct dirent64 *)(L->buf + at))->d_reclen)
			stop = list_entry(L, path, (const struct dirent64 *)(L->buf + at), &list, &n);
	close(fd);
	if (!n && !L->errors) {
		log_error("'%s': no *.conf file in this folder", path);
		L->errors++;
	}
	if (!n)
		return;
	if (!(names = scratch_alloc(L, n * sizeof *names))) {
		log_error("'%s': out of memory", path);
		L->errors++;
		return;
	}
	for (i = 0, f = list; f; f = f->next)
		names[i++] = f->path;
	if (n > 1)	/* a first call of qsort is a lookup by the dynamic linker */
		qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++)
		load_file(L, names[i], -1, true);
}

/* The defaults that are not zero. */
void config_default_dir(char out[PATH_MAX])
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	/* XDG: a relative XDG_CACHE_HOME is invalid and ignored. */
	out[0] = '\0';
	if (xdg && xdg[0] == '/')
		copyf(out, PATH_MAX, "%.*s/libmemo", PATH_MAX - 10, xdg);
	else if (home && home[0] == '/')
		copyf(out, PATH_MAX, "%.*s/.cache/libmemo", PATH_MAX - 20, home);
}

/* dir, when no config set it: config_default_dir's, kept in the names.
 * Once every file is read (and its errors said): said here. */
static void cache_default_dir(struct loader *L)
{
	char *dir = strpool_alloc(&L->cfg->names, PATH_MAX);

	if (!dir) {
		log_error("out of memory reading the config");
		L->errors++;
		return;
	}
	config_default_dir(dir);
	strpool_shrink(&L->cfg->names, dir, PATH_MAX, strlen(dir) + 1);
	L->cfg->cache.dir = dir;
}

static void cache_defaults(struct cache_config *c)
{
	c->connect_timeout_ms = 50;
	c->timeout_ms = 50;
	c->timeout_max_ms = 500;
	c->max_size = 2ull << 30;
	c->small_store = true;
	c->file = "";
	c->stats = "stderr";
	c->namespace_ = c->sasl_user = c->servers = c->dir = "";
	c->secret_file = c->sasl_password_file = "";
}

/* Once every file is read, [types] are all known: each prototype's structs
 * get their sizes, or an error at the argument that names an undeclared one. */
static void settle_types(struct loader *L)
{
	struct memo_config *cfg = L->cfg;
	struct proto_error err;
	int i, arg;

	for (i = 0; cfg->types && i < cfg->nfuncs; i++) {
		struct function_config *fn = &cfg->funcs[i];
		struct config_pos at;

		if (types_settle(&fn->proto, &arg, &err) == 0)
			continue;
		at = arg >= 0 ? fn->arg_at[arg] : fn->proto_at;
		log_error("%s:%d:%d: %s", fn->file, at.line, at.col, err.msg);
		L->errors++;
	}
}

int config_load(const char *path, struct memo_config *cfg)
{
	/* Static: its buffers are too big for a constructor's stack in a small
	 * thread, and malloc is what it avoids. config_load is not reentrant.
	 * In .lbss (x86-64's large bss, laid out after every other static) and
	 * on a page of its own, so that libmemo.so's small statics share the
	 * page its .data ends in, and a load touches the loader's first pages. */
	static struct loader loader __attribute__((section(".lbss"), aligned(4096)));
	struct loader *L = &loader;
	struct stat st;
	int errors, fd, open_errno;
	struct spill *s;

	cache_defaults(&cfg->cache);	/* on the zeroed *cfg */
	if (cfg->room)
		strpool_give_room(&cfg->names, cfg->room->names, sizeof cfg->room->names);
	memset(L, 0, offsetof(struct loader, raw));
	L->cfg = cfg;
	L->line = L->raw;
	L->line_cap = sizeof L->raw;
	L->proto_text = L->proto_none;
	L->proto_cap = 1;	/* "" only: the first prototype takes room in the arena */
	if (!path || !*path) {
		log_error("no config: set MEMO_CONFIG to a file or a folder of *.conf files");
		cache_default_dir(L);
		return 1;
	}
	/* Opened as a folder, or else as a file: no stat. A failure is told
	 * by stat, with the messages as ever. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	open_errno = fd < 0 ? errno : 0;	/* errno read only when it says something */
	if (fd >= 0) {
		load_folder(L, path, fd);
	} else if (open_errno == ENOTDIR && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		load_file(L, path, fd, false);
	} else if (stat(path, &st) < 0) {
		log_error("'%s': %s", path, errno == ENOENT ? "no such file or folder" : strerror(errno));
		L->errors++;
	} else if (S_ISDIR(st.st_mode)) {
		log_error("'%s': cannot read: %s", path, strerror(open_errno));
		L->errors++;
	} else {
		load_file(L, path, -1, false);
	}
	settle_types(L);
	/* after the files, where most configs set it: no getenv, no copy */
	if (!L->dir_set)
		cache_default_dir(L);
	errors = L->errors;
	if (L->pending)	/* a first call of free is a lookup by the dynamic linker */
		free(L->pending);
	while ((s = L->spill)) {
		L->spill = s->next;
		free(s);
	}
	return errors;
}

void config_release(struct memo_config *cfg)
{
	struct config_room *room = cfg->room;

	if (room && cfg->funcs == room->funcs)	/* zero again, as config_load wants it */
		memset(room->funcs, 0, (cfg->nfuncs < CONFIG_ROOM_FUNCS ? cfg->nfuncs + 1 :
					CONFIG_ROOM_FUNCS) * sizeof *room->funcs);
	else if (cfg->funcs)
		munmap(cfg->funcs, cfg->funcs_cap * sizeof *cfg->funcs);
	types_release(&cfg->types);
	strpool_release(&cfg->names);
	memset(cfg, 0, sizeof *cfg);	/* ready for config_load again */
	cfg->room = room;
}
