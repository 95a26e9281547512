/*
 * mc_store: drives the memcached store (src/store/store_memcached.c) through the
 * store API against real servers, for tests/t04*.sh.
 * Calls the store, libmemcached directly only where a test plays a foreign
 * client (reading a manifest, deleting a chunk by hand), and libb2.
 *
 *   mc_store SERVERS [TIMEOUT_MS] < commands
 *   (MC_SASL_USER and MC_SASL_PASSWORD_FILE in the environment: SASL)
 *
 * Reads one command per line from stdin and answers each with one line
 * ("ok ..." with the counters of that command, or "fail ...") so a test can
 * run it as a coprocess and act on the servers between commands:
 *
 *   set NAME N SIZE          store NAME-0 .. NAME-(N-1), SIZE bytes each
 *   setall NAME N SIZE SECS  the same, retrying failed keys until SECS pass
 *   get NAME N SIZE          read them back; every hit must be the exact value
 *   delchunk NAME I C        delete chunk C of entry NAME-I behind the store's back
 *   rawset NAME I TEXT       write TEXT under NAME-I's key, as a foreign client
 *   hammer P T ROUNDS        P processes x T threads, shared and own keys
 *   forkget NAME N SIZE      2 forked children read them on their own connections
 *   casinc NAME P N          P processes add 1 N times each with gets/cas
 *   report                   the store's report, then "ok"
 * Values are a function of the key name and size, so any hit can be checked.
 */
#include <blake2.h>
#include <inttypes.h>
#include <libmemcached/memcached.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "store/store.h"


static struct cache_config cfg;
static struct store *st;
static struct memo_stats stats;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void make_key(const char *name, int i, struct memo_key *k)
{
	char text[256];
	int n = snprintf(text, sizeof text, "%s-%d", name, i);

	blake2b(k->hash, text, NULL, sizeof k->hash, (size_t)n, 0);
	memcpy(k->text, "m1-", 3);
	for (int j = 0; j < 32; j++)
		sprintf(k->text + 3 + 2 * j, "%02x", k->hash[j]);
	k->textlen = 67;
}

/* The value of a key: xorshift from the key hash and the size. */
static void make_value(const struct memo_key *k, size_t size, uint8_t *out)
{
	uint64_t x;

	memcpy(&x, k->hash, 8);
	x ^= size * 0x9e3779b97f4a7c15ULL;
	x |= 1;
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (uint8_t)x;
	}
}

static void print_stats(const char *head)
{
	printf("%s errors=%" PRIu64 " timeouts=%" PRIu64 " reconnects=%" PRIu64
	       " rejected=%" PRIu64 "\n", head, stats.errors, stats.timeouts,
	       stats.reconnects, stats.rejected);
	fflush(stdout);
	memset(&stats, 0, sizeof stats);
}

static int one_set(const char *name, int i, size_t size, uint8_t *buf)
{
	struct memo_key k;

	make_key(name, i, &k);
	make_value(&k, size, buf);
	return store_set(st, &k, buf, size, &stats);
}

static void cmd_set(const char *name, int n, size_t size, double secs)
{
	uint8_t *buf = malloc(size ? size : 1);
	char *done = calloc(n, 1);
	int stored = 0, failed, i;
	double end = now_ms() + secs * 1e3;
	char head[128];

	do {
		failed = 0;
		for (i = 0; i < n; i++) {
			if (done[i])
				continue;
			if (one_set(name, i, size, buf) == STORE_HIT) {
				done[i] = 1;
				stored++;
			} else {
				failed++;
			}
		}
		if (failed && now_ms() < end)
			usleep(50000);
	} while (failed && now_ms() < end);
	snprintf(head, sizeof head, "ok stored=%d failed=%d", stored, failed);
	print_stats(head);
	free(buf);
	free(done);
}

static void cmd_get(const char *name, int n, size_t size)
{
	uint8_t *want = malloc(size ? size : 1);
	uint8_t space[4096];
	struct membuf b;
	int hits = 0, misses = 0, bad = 0, other = 0, i, r;
	double t0, dt, max = 0, total = now_ms();
	char head[256];
	struct memo_key k;

	for (i = 0; i < n; i++) {
		make_key(name, i, &k);
		make_value(&k, size, want);
		membuf_init(&b, space, sizeof space);
		t0 = now_ms();
		r = store_get(st, &k, &b, &stats);
		dt = now_ms() - t0;
		if (dt > max)
			max = dt;
		if (r == STORE_HIT) {
			hits++;
			if (b.len != size || memcmp(b.data, want, size))
				bad++;
		} else if (r == STORE_MISS) {
			misses++;
		} else {
			other++;
		}
		membuf_release(&b);
	}
	snprintf(head, sizeof head, "ok hits=%d misses=%d failed=%d bad=%d maxms=%.1f totalms=%.1f",
		 hits, misses, other, bad, max, now_ms() - total);
	print_stats(head);
	free(want);
}

/* A raw libmemcached handle that places keys as the store does. */
static memcached_st *raw_handle(void)
{
	memcached_server_st *list = memcached_servers_parse(cfg.servers);
	memcached_st *mc = memcached_create(NULL);

	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_KETAMA_HASH, MEMCACHED_HASH_MD5);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_HASH, MEMCACHED_HASH_MD5);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_DISTRIBUTION,
			       MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA);
	memcached_server_push(mc, list);
	memcached_server_list_free(list);
	return mc;
}

static void cmd_delchunk(const char *name, int i, int c)
{
	memcached_st *mc = raw_handle();
	struct memo_key k;
	memcached_return_t rc;
	size_t len;
	uint32_t flags;
	char *v, ck[256];
	uint64_t id = 0;

	make_key(name, i, &k);
	v = memcached_get(mc, k.text, k.textlen, &len, &flags, &rc);
	if (!v || len != 64) {
		printf("fail no manifest under '%s'\n", k.text);
	} else {
		for (int j = 7; j >= 0; j--)
			id = id << 8 | (uint8_t)v[16 + j];
		snprintf(ck, sizeof ck, "%s.%016" PRIx64 ".c%d", k.text, id, c);
		rc = memcached_delete(mc, ck, strlen(ck), 0);
		printf(rc == MEMCACHED_SUCCESS ? "ok deleted %s\n" : "fail %s: cannot delete\n", ck);
	}
	fflush(stdout);
	free(v);
	memcached_free(mc);
}

static void cmd_rawset(const char *name, int i, const char *text)
{
	memcached_st *mc = raw_handle();
	struct memo_key k;
	memcached_return_t rc;

	make_key(name, i, &k);
	rc = memcached_set(mc, k.text, k.textlen, text, strlen(text), 0, 0);
	printf(rc == MEMCACHED_SUCCESS ? "ok\n" : "fail %s\n", memcached_strerror(mc, rc));
	fflush(stdout);
	memcached_free(mc);
}

/* hammer: shared keys (every thread of every process) and own keys; sizes
 * vary, and every 8th shared key is large enough to be chunked. */
struct hammer_arg {
	int id, rounds;
	int hits, bad;
};

static size_t hammer_size(int j)
{
	return j % 8 == 0 ? 1200000 + (size_t)j : 64 + (size_t)j * 97;
}

static void *hammer_thread(void *p)
{
	struct hammer_arg *a = p;
	uint8_t *want = malloc(1300000), space[4096];
	struct memo_key k;
	struct membuf b;
	char own[64];
	int r, j;

	snprintf(own, sizeof own, "own-%d-%d", (int)getpid(), a->id);
	for (r = 0; r < a->rounds; r++) {
		bool shared = r % 2 == 0;
		const char *name = shared ? "shared" : own;
		size_t size;

		j = (r * 7 + a->id) % 16;
		size = hammer_size(j);
		make_key(name, j, &k);
		make_value(&k, size, want);
		membuf_init(&b, space, sizeof space);
		if (store_get(st, &k, &b, &stats) == STORE_HIT) {
			a->hits++;
			if (b.len != size || memcmp(b.data, want, size))
				a->bad++;
		} else {
			store_set(st, &k, want, size, &stats);
		}
		membuf_release(&b);
	}
	free(want);
	return NULL;
}

static int hammer_process(int nthreads, int rounds)
{
	pthread_t th[16];
	struct hammer_arg a[16];
	int i, hits = 0, bad = 0;

	for (i = 0; i < nthreads; i++) {
		a[i] = (struct hammer_arg){ .id = i, .rounds = rounds };
		pthread_create(&th[i], NULL, hammer_thread, &a[i]);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		hits += a[i].hits;
		bad += a[i].bad;
	}
	fprintf(stderr, "hammer %d: hits=%d bad=%d\n", (int)getpid(), hits, bad);
	return bad;
}

/* Fork nproc children running fn; the number that failed or crashed. */
static int run_children(int nproc, int (*fn)(void *), void *arg)
{
	int i, status, bad = 0;

	fflush(stdout);
	for (i = 0; i < nproc; i++) {
		if (fork() == 0) {
			store_after_fork(st);
			_exit(fn(arg) ? 1 : 0);
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	return bad;
}

static int hammer_threads, hammer_rounds;

static int hammer_child(void *arg)
{
	(void)arg;
	return hammer_process(hammer_threads, hammer_rounds);
}

/* forkget: the parent has live connections; a child reads every key on its
 * own connections, closes them (QUIT) and exits; the parent's must still work. */
struct forkget_arg {
	const char *name;
	int n;
	size_t size;
};

static int forkget_child(void *p)
{
	struct forkget_arg *a = p;
	uint8_t *want = malloc(a->size ? a->size : 1), space[4096];
	struct memo_key k;
	struct membuf b;
	int i, bad = 0;

	for (i = 0; i < a->n; i++) {
		make_key(a->name, i, &k);
		make_value(&k, a->size, want);
		membuf_init(&b, space, sizeof space);
		if (store_get(st, &k, &b, &stats) != STORE_HIT || b.len != a->size ||
		    memcmp(b.data, want, a->size))
			bad++;
		membuf_release(&b);
	}
	store_free(st);
	free(want);
	return bad;
}

struct casinc_arg {
	const char *name;
	int n;
};

static int casinc_child(void *p)
{
	struct casinc_arg *a = p;
	struct memo_key k;
	uint8_t space[64];
	struct membuf b;
	uint64_t token, v;
	int done = 0, tries = 0, r;

	make_key(a->name, 0, &k);
	while (done < a->n && tries < 100000) {
		tries++;
		membuf_init(&b, space, sizeof space);
		r = st->ops->gets(st, &k, &b, &token, &stats);
		if (r == STORE_HIT && b.len != 8)
			return 1;
		v = 0;
		if (r == STORE_HIT)
			memcpy(&v, b.data, 8);
		else if (r != STORE_MISS)
			continue;
		v++;
		if (st->ops->cas(st, &k, &v, 8, r == STORE_HIT ? token : 0, &stats) == STORE_HIT)
			done++;
	}
	return done == a->n ? 0 : 1;
}

static void cmd_casinc(const char *name, int nproc, int n)
{
	struct casinc_arg a = { name, n };
	struct memo_key k;
	uint8_t space[64];
	struct membuf b;
	uint64_t token, v = 0;

	int bad = run_children(nproc, casinc_child, &a);

	make_key(name, 0, &k);
	membuf_init(&b, space, sizeof space);
	if (st->ops->gets(st, &k, &b, &token, &stats) == STORE_HIT && b.len == 8)
		memcpy(&v, b.data, 8);
	printf("%s count=%" PRIu64 " children_failed=%d\n", bad ? "fail" : "ok", v, bad);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char line[1024], name[256], text[512];
	int n, i, c;
	size_t size;
	double secs;

	if (argc < 2) {
		fprintf(stderr, "usage: mc_store SERVERS [TIMEOUT_MS] < commands\n");
		return 2;
	}
	cfg.stats = cfg.namespace_ = cfg.sasl_user = cfg.dir = cfg.secret_file = "";
	cfg.sasl_password_file = "";
	cfg.servers = argv[1];
	cfg.connect_timeout_ms = cfg.timeout_ms = argc > 2 ? atoi(argv[2]) : 50;
	cfg.file = "mc_store";
	/* SASL, as `sasl_user` and `sasl_password_file` would set it. */
	if (getenv("MC_SASL_USER"))
		cfg.sasl_user = getenv("MC_SASL_USER");
	if (getenv("MC_SASL_PASSWORD_FILE"))
		cfg.sasl_password_file = getenv("MC_SASL_PASSWORD_FILE");
	st = memo_store_memcached_open(&cfg, NULL);
	if (!st)
		return 1;
	while (fgets(line, sizeof line, stdin)) {
		if (sscanf(line, "setall %255s %d %zu %lf", name, &n, &size, &secs) == 4)
			cmd_set(name, n, size, secs);
		else if (sscanf(line, "set %255s %d %zu", name, &n, &size) == 3)
			cmd_set(name, n, size, 0);
		else if (sscanf(line, "get %255s %d %zu", name, &n, &size) == 3)
			cmd_get(name, n, size);
		else if (sscanf(line, "delchunk %255s %d %d", name, &i, &c) == 3)
			cmd_delchunk(name, i, c);
		else if (sscanf(line, "rawset %255s %d %511s", name, &i, text) == 3)
			cmd_rawset(name, i, text);
		else if (sscanf(line, "hammer %d %d %d", &n, &hammer_threads, &hammer_rounds) == 3)
		{
			int bad = run_children(n, hammer_child, NULL);

			printf("%s children_failed=%d\n", bad ? "fail" : "ok", bad);
			fflush(stdout);
		}
		else if (sscanf(line, "forkget %255s %d %zu", name, &n, &size) == 3) {
			struct forkget_arg a = { name, n, size };
			int bad = run_children(2, forkget_child, &a);

			printf("%s children_failed=%d\n", bad ? "fail" : "ok", bad);
			fflush(stdout);
		} else if (sscanf(line, "casinc %255s %d %d", name, &n, &i) == 3)
			cmd_casinc(name, n, i);
		else if (!strncmp(line, "report", 6)) {
			st->ops->report(st, stdout);
			printf("ok\n");
			fflush(stdout);
		} else {
			printf("fail unknown command: %s", line);
			fflush(stdout);
		}
	}
	store_free(st);
	return 0;
}
