/*
 * Unit driver for the folder store (src/store/store_folder.c) and store_open's
 * layering (src/store/store.c): one command per run, driven by tests/t03*.sh.
 * Calls store.h and value.h (every value written is a real encoded value, so
 * a reader can tell a complete entry from a torn one). One thread per process.
 *
 *   store_folder [-S] [-m MAX_SIZE] [-l BACK_DIR] [-s SERVERS] DIR CMD ARGS...
 *     open                  print the store's name; exit 1 if none opened
 *     set KEY SIZE SEED [N] store a value of SIZE payload bytes, N times
 *     fill PREFIX N SIZE    store N values under PREFIX0 .. PREFIX<N-1>
 *     get KEY               exit 0 valid hit (prints "hit SIZE SEED"),
 *                           1 miss, 2 store error, 3 hit that does not verify
 *     getall PREFIX N       get PREFIX0 .. PREFIX<N-1>: prints "hits H
 *                           misses M"; exit 3 if one did not verify, 2 on
 *                           a store error
 *     del KEY               exit 0 deleted, 1 absent, 2 error
 *     text KEY              print the key text (the entry's file name)
 *     hammer KEY|- ID ITERS write and read back ITERS times (KEY "-": own
 *                           keys, and read the next writer's); exit 3 on any
 *                           torn or invalid value
 *     count KEY N           N gets/cas increments of a counter entry
 *     report                the store's report
 *     forkget KEY NEW       get KEY, fork; the child, with the parent's
 *                           store, gets KEY and sets NEW (100 bytes); the
 *                           parent, once the child has exited, gets NEW.
 *                           exit 0 when all three are valid hits
 *   Every command ends with "errors=E timeouts=T read=R written=W" on stderr.
 *   -S keeps small entries in the small store (small_store = yes; the
 *   default is one file per entry, which most tests look at).
 *   -l BACK_DIR layers a second folder store where memcached would be (the
 *   layering logic under test, with a real backend behind it). -s SERVERS
 *   names servers without an opener: store_open must dlopen the backend.
 */
#include <blake2.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "store/value.h"

static struct memo_stats st;
static char back_dir[PATH_MAX];

/* Key NAME: hash = BLAKE2b(NAME); text = NAME itself for a "g1-" record,
 * else "m1-" + hex hash, as entry keys are. */
static void make_key(struct memo_key *k, const char *name)
{
	blake2b(k->hash, name, NULL, sizeof k->hash, strlen(name), 0);
	if (!strncmp(name, "g1-", 3)) {
		k->textlen = snprintf(k->text, sizeof k->text, "%s", name);
		return;
	}
	memcpy(k->text, "m1-", 3);
	for (int i = 0; i < KEY_HASH_BYTES; i++)
		sprintf(k->text + 3 + 2 * i, "%02x", k->hash[i]);
	k->textlen = 3 + 2 * KEY_HASH_BYTES;
}

static uint8_t pattern(uint64_t seed, size_t j)
{
	return (uint8_t)(seed * 131 + j * 7 + (j >> 8));
}

/* A value whose one part is SIZE bytes derived from SEED (kept in count). */
static int encode(const struct memo_key *k, size_t size, uint64_t seed,
		  struct membuf *out)
{
	struct value_meta m = { .count = seed };
	struct iovec part;
	uint8_t *p = malloc(size ? size : 1);
	int r;

	if (!p)
		return -1;
	for (size_t j = 0; j < size; j++)
		p[j] = pattern(seed, j);
	part.iov_base = p;
	part.iov_len = size;
	r = value_encode(k, &m, &part, 1, out);
	free(p);
	return r;
}

/* 0 = a complete value whose bytes match its seed; -1 otherwise. */
static int verify(const struct memo_key *k, const struct membuf *b,
		  size_t *size, uint64_t *seed)
{
	struct value_meta m;
	struct iovec part;
	enum value_verdict v = value_decode(k, b->data, b->len, &m, &part, 1);

	if (v != VALUE_OK) {
		fprintf(stderr, "invalid value (%zu bytes): %s\n", b->len, value_verdict_str(v));
		return -1;
	}
	for (size_t j = 0; j < part.iov_len; j++)
		if (((uint8_t *)part.iov_base)[j] != pattern(m.count, j)) {
			fprintf(stderr, "value bytes differ at %zu\n", j);
			return -1;
		}
	*size = part.iov_len;
	*seed = m.count;
	return 0;
}

static int do_set(struct store *s, const char *name, size_t size, uint64_t seed)
{
	uint8_t space[4096];
	struct memo_key k;
	struct membuf b;
	int r;

	make_key(&k, name);
	membuf_init(&b, space, sizeof space);
	if (encode(&k, size, seed, &b) < 0)
		return STORE_ERROR;
	r = store_set(s, &k, b.data, b.len, &st);
	membuf_release(&b);
	return r;
}

/* 0 valid hit, 1 miss, 2 error, 3 invalid */
static int do_get(struct store *s, const char *name, int print)
{
	uint8_t space[4096];
	struct memo_key k;
	struct membuf b;
	uint64_t seed;
	size_t size;
	int r, rc;

	make_key(&k, name);
	membuf_init(&b, space, sizeof space);
	r = store_get(s, &k, &b, &st);
	if (r == STORE_HIT) {
		rc = verify(&k, &b, &size, &seed) < 0 ? 3 : 0;
		if (!rc && print)
			printf("hit %zu %" PRIu64 "\n", size, seed);
	} else {
		rc = r == STORE_MISS ? 1 : 2;
		if (print)
			printf("%s\n", rc == 1 ? "miss" : "error");
	}
	membuf_release(&b);
	return rc;
}

static int forkget(struct store *s, const char *key, const char *fresh)
{
	int status;
	pid_t pid;

	if (do_get(s, key, 0) != 0)
		return 3;
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		store_after_fork(s);
		_exit(do_get(s, key, 0) != 0 ? 3 : do_set(s, fresh, 100, 7) < 0 ? 2 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 4;
	return do_get(s, fresh, 0) != 0 ? 5 : 0;
}

static int hammer(struct store *s, const char *key, int id, int iters)
{
	char own[64], next[64];

	for (int i = 0; i < iters; i++) {
		size_t size = (size_t)(id * 7919 + i * 104729) % 20000;

		if (!strcmp(key, "-")) {
			snprintf(own, sizeof own, "w%d-%d", id, i % 4);
			snprintf(next, sizeof next, "w%d-%d", (id + 1) % 8, i % 4);
		} else {
			snprintf(own, sizeof own, "%s", key);
			snprintf(next, sizeof next, "%s", key);
		}
		if (do_set(s, own, size, (uint64_t)id << 32 | i) < 0)
			return 2;
		if (do_get(s, own, 0) >= 2 || do_get(s, next, 0) >= 2)
			return 3;
	}
	return 0;
}

/* The repeated-evaluations pattern: read, add one, compare-and-swap; retry
 * on a conflict or a lock timeout (neither wrote anything). */
static int count(struct store *s, const char *name, int n)
{
	uint8_t space[4096], vspace[256];
	struct memo_key k;
	struct membuf b, v;

	make_key(&k, name);
	for (int i = 0; i < n; i++) {
		for (;;) {
			uint64_t token, c = 0;
			size_t size;
			int r;

			membuf_init(&b, space, sizeof space);
			r = s->ops->gets(s, &k, &b, &token, &st);
			if (r == STORE_HIT && verify(&k, &b, &size, &c) < 0)
				return 3;
			membuf_release(&b);
			if (r == STORE_TIMEOUT)
				continue;
			if (r < 0)
				return 2;
			membuf_init(&v, vspace, sizeof vspace);
			if (encode(&k, 8, c + 1, &v) < 0)
				return 2;
			r = s->ops->cas(s, &k, v.data, v.len, token, &st);
			membuf_release(&v);
			if (r >= 0)
				break;
			if (r != STORE_CONFLICT && r != STORE_TIMEOUT)
				return 2;
		}
	}
	return 0;
}

/* Stands where the memcached backend would: a second real folder store. */
static struct store *open_back(const struct cache_config *c, const struct log_state *voice)
{
	struct cache_config b = *c;

	(void)voice;
	b.dir = back_dir;
	return store_folder_open(&b);
}

static int usage(void)
{
	fprintf(stderr, "usage: store_folder [-S] [-m MAX] [-l BACK] [-s SERVERS] DIR CMD ARGS\n");
	return 64;
}

int main(int argc, char **argv)
{
	struct cache_config c;
	char servers[PATH_MAX + 16];
	struct memo_key k;
	struct store *s;
	const char *cmd;
	int opt, rc = 0;

	memset(&c, 0, sizeof c);
	c.file = c.stats = c.namespace_ = c.sasl_user = c.servers = "";
	c.secret_file = c.sasl_password_file = "";
	c.timeout_ms = 1000;
	c.connect_timeout_ms = 1000;
	while ((opt = getopt(argc, argv, "Sm:l:s:")) != -1) {
		switch (opt) {
		case 'S': c.small_store = true; break;
		case 'm': c.max_size = strtoull(optarg, NULL, 0); break;
		case 'l':
			snprintf(back_dir, sizeof back_dir, "%s", optarg);
			snprintf(servers, sizeof servers, "(folder %s)", optarg);
			c.servers = servers;
			store_memcached_opener = open_back;
			break;
		case 's': c.servers = optarg; break;
		default: return usage();
		}
	}
	if (argc - optind < 2)
		return usage();
	c.dir = argv[optind];
	cmd = argv[optind + 1];
	argv += optind + 2;
	argc -= optind + 2;

	if (!strcmp(cmd, "text") && argc == 1) {
		make_key(&k, argv[0]);
		printf("%.*s\n", k.textlen, k.text);
		return 0;
	}
	s = store_open(&c);
	if (!s) {
		fprintf(stderr, "no store opened\n");
		return 1;
	}
	if (!strcmp(cmd, "open") && argc == 0) {
		printf("%s\n", s->ops->name);
	} else if (!strcmp(cmd, "set") && (argc == 3 || argc == 4)) {
		int n = argc == 4 ? atoi(argv[3]) : 1, r = 0;

		for (int i = 0; i < n; i++)
			if ((r = do_set(s, argv[0], strtoull(argv[1], NULL, 0),
					strtoull(argv[2], NULL, 0))) < 0)
				rc = 2;
		printf("result=%d\n", r);
	} else if (!strcmp(cmd, "fill") && argc == 3) {
		char name[128];

		for (int i = 0; i < atoi(argv[1]); i++) {
			snprintf(name, sizeof name, "%s%d", argv[0], i);
			if (do_set(s, name, strtoull(argv[2], NULL, 0), i) < 0)
				rc = 2;
		}
	} else if (!strcmp(cmd, "get") && argc == 1) {
		rc = do_get(s, argv[0], 1);
	} else if (!strcmp(cmd, "getall") && argc == 2) {
		int n[4] = { 0 };
		char name[128];

		for (int i = 0; i < atoi(argv[1]); i++) {
			snprintf(name, sizeof name, "%s%d", argv[0], i);
			n[do_get(s, name, 0)]++;
		}
		printf("hits %d misses %d\n", n[0], n[1]);
		rc = n[3] ? 3 : n[2] ? 2 : 0;
	} else if (!strcmp(cmd, "del") && argc == 1) {
		make_key(&k, argv[0]);
		int r = store_del(s, &k, &st);
		rc = r == STORE_HIT ? 0 : r == STORE_MISS ? 1 : 2;
	} else if (!strcmp(cmd, "hammer") && argc == 3) {
		rc = hammer(s, argv[0], atoi(argv[1]), atoi(argv[2]));
	} else if (!strcmp(cmd, "count") && argc == 2) {
		rc = count(s, argv[0], atoi(argv[1]));
	} else if (!strcmp(cmd, "forkget") && argc == 2) {
		rc = forkget(s, argv[0], argv[1]);
	} else if (!strcmp(cmd, "report") && argc == 0) {
		s->ops->report(s, stdout);
	} else {
		store_free(s);
		return usage();
	}
	store_free(s);
	fprintf(stderr, "errors=%" PRIu64 " timeouts=%" PRIu64 " read=%" PRIu64
		" written=%" PRIu64 "\n", st.errors, st.timeouts, st.bytes_read,
		st.bytes_written);
	return rc;
}
