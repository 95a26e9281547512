/*
 * calls: per-call costs of libmemo against baselines measured in this same
 * process, run under LD_PRELOAD=libmemo.so by bench/run.
 *
 *   calls l1 [N]        in-process hit vs a bare libffi closure + ffi_call
 *                       (and a direct call), N calls each (default 2e6)
 *   calls fill N [PORT] call bf_scalar and bf_buf (8 KiB) on N distinct
 *                       arguments: fills the shared store; with PORT, the
 *                       baselines' values of shared and threads beside
 *   calls shared N PORT calls 0..N-1 (PORT 0: folder store) in a new process
 *                       (l1 is empty, so each is a hit from the shared
 *                       store); with a server, against the bare libmemcached
 *                       get of a value of the same size over as many
 *                       distinct keys, the two alone; then calls N..2N-1
 *                       (fill 2N) against the plain C path — BLAKE2b of the
 *                       same arguments + one get — and the bare get, all in
 *                       one interleave: in wall and in CPU time
 *   calls threads N PORT hits per second with 2 threads vs 2 threads of raw
 *                       libmemcached gets
 *   calls miss N PORT   N misses of bf_spin vs the same calls of the unhooked
 *                       copy, vs a get round trip + hashing, and vs a plain
 *                       C memoizer's miss: hash, get (a miss), the unhooked
 *                       call, a noreply set of a value of libmemo's size
 * Every comparison of the shared store runs its sides in alternating short
 * blocks of calls (interleave): this VM's cross-CPU wake-up cost drifts over
 * seconds, and measuring one side after the other put the drift into the
 * ratios.
 *   calls readfiles DIR N  the baseline of a folder hit: open, read and
 *                       close each entry file under DIR, N reads in all
 *   calls fillscalar N  call bf_scalar only on N distinct arguments (entries
 *                       of 104 bytes): those `calls hits 0 N` calls
 *   calls hits FIRST N  bf_scalar on arguments FIRST..FIRST+N-1 and nothing
 *                       else, and
 *   calls gets FIRST N PORT  the bare get of as many distinct keys (stored
 *                       first, outside the count: calls gets 0 N PORT store):
 *                       the sides bench/hit_instructions.sh counts apart
 *   calls smallraw DIR N  the baseline of a hit from the folder's store of
 *                       small entries: LMDB's own read of its entries
 *                       (renew, the two gets small.c makes, copy, reset),
 *                       N reads in no order, then N in the order written;
 *                       and what the entries hold (count, value and key
 *                       bytes)
 * Prints "name value unit" lines that bench/run turns into ratios.
 */
#include <blake2.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>
#include <ffi.h>
#include <libmemcached/memcached.h>
#include <inttypes.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bf_scalar(int a, double b);
double bf_buf(const unsigned char *buf, size_t n);
double bf_spin(int a);

#define BUF 8192

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This thread's CPU time: what a side costs the client itself, which other
 * load on the machine changes far less than the wall time (a round trip's
 * wait is in the wall time only). */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile double sink;

/* The unhooked original: a second copy of the library, which libmemo does not
 * touch (the config names the first with `object =`). */
static double (*raw_scalar)(int, double);
static double (*raw_spin)(int);

static void load_raw(void)
{
	void *h = dlopen(getenv("BENCH_RAW_LIB"), RTLD_NOW | RTLD_LOCAL);

	if (!h || !(raw_scalar = (double (*)(int, double))dlsym(h, "bf_scalar")) ||
	    !(raw_spin = (double (*)(int))dlsym(h, "bf_spin"))) {
		fprintf(stderr, "calls: cannot load the raw library: %s\n", dlerror());
		exit(1);
	}
}

static void closure_handler(ffi_cif *cif, void *ret, void **args, void *data)
{
	(void)data;
	ffi_call(cif, FFI_FN(raw_scalar), ret, args);
}

static int l1(long n)
{
	ffi_type *types[2] = { &ffi_type_sint32, &ffi_type_double };
	ffi_cif cif;
	void *code;
	ffi_closure *cl = ffi_closure_alloc(sizeof *cl, &code);
	double (*through_closure)(int, double);
	double t;
	long i;

	load_raw();
	ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 2, &ffi_type_double, types);
	ffi_prep_closure_loc(cl, &cif, closure_handler, NULL, code);
	through_closure = (double (*)(int, double))code;

	sink = bf_scalar(7, 0.25);	/* the miss that fills l1 */
	/* Three sides of 50-120 ns each: a neighbour's burst moves one block by
	 * more than their difference, so seven alternating rounds are printed
	 * and bench/run keeps each side's best. The first round warms up. */
	for (int round = 0; round < 8; round++) {
		t = now();
		for (i = 0; i < n; i++)
			sink = raw_scalar(7, 0.25);
		if (round) printf("direct_call %.2f ns\n", (now() - t) / n * 1e9);
		t = now();
		for (i = 0; i < n; i++)
			sink = through_closure(7, 0.25);
		if (round) printf("closure_ffi_call %.2f ns\n", (now() - t) / n * 1e9);
		t = now();
		for (i = 0; i < n; i++)
			sink = bf_scalar(7, 0.25);
		if (round) printf("l1_hit %.2f ns\n", (now() - t) / n * 1e9);
	}
	return 0;
}

static unsigned char buf[BUF];

static void fill_buf(long i)
{
	memset(buf, 0, sizeof buf);
	memcpy(buf, &i, sizeof i);
}

static memcached_st *connect_to(int port)
{
	memcached_st *mc = memcached_create(NULL);

	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	memcached_server_add(mc, "127.0.0.1", (in_port_t)port);
	return mc;
}

/* One libmemo entry for a double return: header, part and the function's
 * tag, 112 bytes (the baselines' values are this size). */
#define ENTRY_SIZE (88 + 8 + 8 + 8)
#define KEY_LEN 67		/* "m1-" + 64 hex digits, as libmemo's keys */

/* One side of a comparison: runs calls [first, first + len). */
struct side {
	void (*run)(struct side *s, long first, long len);
	memcached_st *mc;
	size_t argbytes;	/* run_plain's: hashed per call, as libmemo would */
	long key_at;		/* a baseline's: call i gets the value of key_at + i */
	double sec;		/* summed over its blocks */
	double cpu;		/* the same in this thread's CPU time */
};

/* Runs every side over calls [first, first + n) in alternating blocks of
 * `block` calls, the side that goes first rotating, so that a drift in the
 * machine's wake-up behaviour (idle states, scheduler placement) falls on
 * every side alike. */
static void interleave(struct side *s, int nsides, long first, long n, long block)
{
	long b, i;
	int k;

	for (b = 0, i = first; i < first + n; b++, i += block) {
		long len = first + n - i < block ? first + n - i : block;
		for (k = 0; k < nsides; k++) {
			struct side *x = &s[(b + k) % nsides];
			double t = now(), c = cpu_now();
			x->run(x, i, len);
			x->sec += now() - t;
			x->cpu += cpu_now() - c;
		}
	}
}

/* A warm-up on calls [warm, warm + 2 * block), which the timed run never
 * makes (connections, first-call set-up), then the timed run over calls
 * [first, first + n). */
static void compare(struct side *s, int nsides, long first, long n, long warm, long block)
{
	int k;

	interleave(s, nsides, warm, 2 * block, block);
	for (k = 0; k < nsides; k++)
		s[k].sec = s[k].cpu = 0;
	interleave(s, nsides, first, n, block);
}

static double ns_per_call(const struct side *s, long n)
{
	return s->sec / n * 1e9;
}

/* BLAKE2b-256 of argbytes of arguments that differ per call, where they
 * lie (as libmemo hashes them). */
static void hash_args(long i, size_t argbytes)
{
	blake2b_state s;
	uint8_t digest[32];

	memset(buf, 0, argbytes);
	memcpy(buf, &i, sizeof i);
	blake2b_init(&s, 32);
	blake2b_update(&s, buf, argbytes);
	blake2b_final(&s, digest, 32);
}

static void run_hit_scalar(struct side *s, long first, long len)
{
	(void)s;
	for (long i = first; i < first + len; i++)
		sink = bf_scalar((int)i, 0.5);
}

static void run_hit_8k(struct side *s, long first, long len)
{
	(void)s;
	for (long i = first; i < first + len; i++) {
		fill_buf(i);
		sink = bf_buf(buf, sizeof buf);
	}
}

/* The keys of the baselines' values, "bench-" and call i's number, as long
 * as libmemo's: a key of its own per call as libmemo's hits have (a few hot
 * keys would stay in the server's caches and flatter the baseline). */
static char (*bare_key)[KEY_LEN + 1];
static long bare_keys;

/* The text of the baselines' key number i. */
static void baseline_key(char key[KEY_LEN + 1], long i)
{
	snprintf(key, KEY_LEN + 1, "bench-%061ld", i);
}

/* The baselines' value of key i (make_bare_keys made it): libmemo's size. */
static void set_baseline_value(memcached_st *mc, long i)
{
	static const char v[ENTRY_SIZE];

	memcached_set(mc, bare_key[i], KEY_LEN, v, sizeof v, 0, 0);
}

/* Made before any timing: formatting one (snprintf, ~170 ns) is no part of
 * a raw get. */
static void make_bare_keys(long n)
{
	if (n <= bare_keys)
		return;
	if (!(bare_key = realloc(bare_key, n * sizeof *bare_key))) {
		fprintf(stderr, "calls: no memory for %ld keys\n", n);
		exit(1);
	}
	for (; bare_keys < n; bare_keys++)
		baseline_key(bare_key[bare_keys], bare_keys);
}

/* The bare get of call i's value (make_bare_keys made its key). */
static void run_bare(struct side *s, long first, long len)
{
	size_t vlen;
	uint32_t flags;
	memcached_return_t rc;

	for (long i = first; i < first + len; i++)
		free(memcached_get(s->mc, bare_key[s->key_at + i], KEY_LEN, &vlen, &flags, &rc));
}

/* The plain C path: hash the arguments as libmemo does (BLAKE2b-256), make
 * the key's text (as libmemo makes its hex), then the get of call i's
 * value. */
static void run_plain(struct side *s, long first, long len)
{
	char key[KEY_LEN + 1];
	size_t vlen;
	uint32_t flags;
	memcached_return_t rc;

	for (long i = first; i < first + len; i++) {
		hash_args(i, s->argbytes);
		baseline_key(key, s->key_at + i);
		free(memcached_get(s->mc, key, KEY_LEN, &vlen, &flags, &rc));
	}
}

/* The baseline's values for calls [0, n): n distinct keys, and their keys. */
static void preload_baseline_values(memcached_st *mc, long n)
{
	make_bare_keys(n);
	for (long i = 0; i < n; i++)
		set_baseline_value(mc, i);
}

/* libmemo's entries for calls [0, n) and, with a server, the baselines'
 * values, three for each call (keys i, n + i, 2n + i: shared's three
 * baselines each get values of their own, as libmemo's two sides do; a
 * value another side had just fetched would be in the server's caches),
 * each written right after libmemo's entries of the same call: memcached
 * puts a new item first in its hash bucket's chain, so values written
 * after all of libmemo's would be found a step earlier in every bucket
 * they share, which flattered the baselines (pinned, memcached's own
 * table: 1.10-1.21 against 1.09-1.11 with chains too short to matter,
 * -o hashpower=20). */
static int fill(long n, int port)
{
	memcached_st *mc = port ? connect_to(port) : NULL;
	long i;
	int k;

	if (mc)
		make_bare_keys(3 * n);
	for (i = 0; i < n; i++) {
		sink = bf_scalar((int)i, 0.5);
		fill_buf(i);
		sink = bf_buf(buf, sizeof buf);
		for (k = 0; mc && k < 3; k++)
			set_baseline_value(mc, k * n + i);
	}
	if (mc)
		memcached_free(mc);
	return 0;
}

/* The baselines' values that `fill n PORT` wrote, their keys made; exits
 * when the first or the last is missing. */
static void baseline_values_written(memcached_st *mc, long n)
{
	size_t vlen;
	uint32_t flags;
	memcached_return_t rc;
	long i[2] = { 0, 3 * n - 1 };

	make_bare_keys(3 * n);
	for (int k = 0; k < 2; k++) {
		char *v = memcached_get(mc, bare_key[i[k]], KEY_LEN, &vlen, &flags, &rc);
		if (!v) {
			fprintf(stderr, "calls: no baseline value of key %ld: run `calls fill %ld PORT` first\n",
				i[k], n);
			exit(1);
		}
		free(v);
	}
}

/* With a server: first the target's pair alone, libmemo's scalar hit and
 * the bare get, over calls [0, n); then every side over calls [n, 2n),
 * where the 8 KiB sides' hashing (1.6 MB a block) evicts the caches
 * between blocks: a larger footprint pays more there, which the pair alone
 * does not show. */
static int shared(long n, int port)
{
	struct side s[5] = { { .run = run_hit_scalar }, { .run = run_hit_8k } };
	struct side pair[2] = { { .run = run_hit_scalar } };
	memcached_st *mc;

	if (!port) {
		compare(s, 2, 0, n, n, 200);
		printf("hit_scalar %.0f ns\nhit_8k %.0f ns\n", ns_per_call(&s[0], n), ns_per_call(&s[1], n));
		printf("hit_scalar_cpu %.0f ns\n", s[0].cpu / n * 1e9);	/* load disturbs it less */
		return 0;
	}
	mc = connect_to(port);
	/* the baselines' timed keys: [0, n) the pair's; [n, 2n), [3n, 4n) and
	 * [5n, 6n) the others' (fill 2n wrote [0, 6n)); the warm-ups' at
	 * 2n, 4n and 6n on */
	baseline_values_written(mc, 2 * n);
	make_bare_keys(6 * n + 4 * 200);
	pair[1] = (struct side){ .run = run_bare, .mc = mc };
	compare(pair, 2, 0, n, 2 * n, 200);
	printf("hit_scalar %.0f ns\nhit_scalar_cpu %.0f ns\n", ns_per_call(&pair[0], n), pair[0].cpu / n * 1e9);
	printf("bare_get %.0f ns\nbare_get_cpu %.0f ns\n", ns_per_call(&pair[1], n), pair[1].cpu / n * 1e9);
	s[2] = (struct side){ .run = run_plain, .mc = mc, .argbytes = 16 };
	s[3] = (struct side){ .run = run_plain, .mc = mc, .argbytes = BUF, .key_at = 2 * n };
	s[4] = (struct side){ .run = run_bare, .mc = mc, .key_at = 4 * n };
	compare(s, 5, n, n, 2 * n + 2 * 200, 200);
	printf("mixed_hit_scalar %.0f ns\nhit_8k %.0f ns\n", ns_per_call(&s[0], n), ns_per_call(&s[1], n));
	printf("plain_scalar %.0f ns\nplain_8k %.0f ns\n", ns_per_call(&s[2], n), ns_per_call(&s[3], n));
	printf("mixed_bare_get %.0f ns\n", ns_per_call(&s[4], n));
	memcached_free(mc);
	return 0;
}

/* 2 threads, each with calls of its own, alternating blocks of libmemo hits
 * and raw gets (on its own connection) between barriers: both sides see the
 * same machine, as in interleave. */
enum { T_HITS, T_RAW, T_STOP };
#define T_BLOCK 200		/* calls of each thread per block */

struct threads {
	pthread_barrier_t bar;	/* 3: both workers and the timer */
	int mode;		/* written by the timer between blocks */
	long off, len;		/* the block, from each worker's first call */
	int port;
};

struct worker {
	struct threads *t;
	long first;
};

static void *hammer(void *p)
{
	struct worker *w = p;
	struct threads *t = w->t;
	struct side raw = { .run = run_bare, .mc = connect_to(t->port) };

	sink = bf_scalar((int)(-1 - w->first), 0.5);	/* opens this thread's connection */
	run_bare(&raw, 0, 1);
	for (;;) {
		pthread_barrier_wait(&t->bar);
		if (t->mode == T_STOP)
			break;
		if (t->mode == T_HITS)
			run_hit_scalar(NULL, w->first + t->off, t->len);
		else
			run_bare(&raw, w->first + t->off, t->len);
		pthread_barrier_wait(&t->bar);
	}
	memcached_free(raw.mc);
	return NULL;
}

static int threads(long n, int port)
{
	struct threads t = { .port = port };
	struct worker w[2] = { { &t, 0 }, { &t, n / 2 } };
	pthread_t id[2];
	double sec[2] = { 0, 0 };
	long b;
	int k;

	memcached_st *mc = connect_to(port);

	baseline_values_written(mc, n);	/* each raw get a hit, as each of libmemo's */
	memcached_free(mc);
	pthread_barrier_init(&t.bar, NULL, 3);
	for (k = 0; k < 2; k++)
		pthread_create(&id[k], NULL, hammer, &w[k]);
	for (b = 0, t.off = 0; t.off < n / 2; b++, t.off += T_BLOCK) {
		t.len = n / 2 - t.off < T_BLOCK ? n / 2 - t.off : T_BLOCK;
		for (k = 0; k < 2; k++) {
			double start = now();
			t.mode = (int)((b + k) % 2);
			pthread_barrier_wait(&t.bar);
			pthread_barrier_wait(&t.bar);
			sec[t.mode] += now() - start;
		}
	}
	t.mode = T_STOP;
	pthread_barrier_wait(&t.bar);
	for (k = 0; k < 2; k++)
		pthread_join(id[k], NULL);
	pthread_barrier_destroy(&t.bar);
	printf("hits_per_s_2threads %.0f /s\n", (n / 2 * 2) / sec[T_HITS]);
	printf("raw_gets_per_s_2threads %.0f /s\n", (n / 2 * 2) / sec[T_RAW]);
	return 0;
}

static void run_spin_direct(struct side *s, long first, long len)
{
	(void)s;
	for (long i = first; i < first + len; i++)
		sink = raw_spin((int)i);
}

static void run_spin_miss(struct side *s, long first, long len)
{
	(void)s;
	for (long i = first; i < first + len; i++)
		sink = bf_spin((int)i);
}

/* What any memoizer must do on a miss, written plainly: hash the arguments,
 * one get (a miss: the key is new), the call, and a noreply set (s->mc has
 * NOREPLY on) of a value of libmemo's size. */
static void run_plain_miss(struct side *s, long first, long len)
{
	char key[KEY_LEN + 1], v[ENTRY_SIZE] = { 0 };
	unsigned pid = (unsigned)getpid();	/* new keys in every run */
	size_t vlen;
	uint32_t flags;
	memcached_return_t rc;

	for (long i = first; i < first + len; i++) {
		double r;

		hash_args(i, 16);
		snprintf(key, sizeof key, "miss-%08x-%053ld", pid, i);
		free(memcached_get(s->mc, key, KEY_LEN, &vlen, &flags, &rc));
		sink = r = raw_spin((int)i);
		memcpy(v, &r, sizeof r);
		memcached_set(s->mc, key, KEY_LEN, v, sizeof v, 0, 0);
	}
}

static int miss(long n, int port)
{
	struct side s[4] = { { .run = run_spin_direct }, { .run = run_spin_miss } };
	memcached_st *mc = NULL, *noreply = NULL;
	double direct;
	int nsides = 2;

	load_raw();
	if (port) {
		mc = connect_to(port);
		noreply = connect_to(port);
		memcached_behavior_set(noreply, MEMCACHED_BEHAVIOR_NOREPLY, 1);
		preload_baseline_values(mc, n + 2 * 20);
		s[2] = (struct side){ .run = run_plain, .mc = mc, .argbytes = 16 };
		s[3] = (struct side){ .run = run_plain_miss, .mc = noreply };
		nsides = 4;
	}
	compare(s, nsides, 0, n, n, 20);	/* a miss takes tens of µs: shorter blocks */
	direct = ns_per_call(&s[0], n);
	printf("spin_direct %.0f ns\nspin_miss %.0f ns\nmiss_overhead %.0f ns\n", direct,
	       ns_per_call(&s[1], n), ns_per_call(&s[1], n) - direct);
	if (port) {
		printf("get_and_hash %.0f ns\n", ns_per_call(&s[2], n));
		printf("plain_miss_overhead %.0f ns\n", ns_per_call(&s[3], n) - direct);
		memcached_free(mc);
		memcached_free(noreply);
	}
	return 0;
}

static int readfiles(const char *dir, long n)
{
	char cmd[4200], path[4096];
	char **files = NULL;
	size_t nfiles = 0, cap = 0;
	static char data[65536];
	FILE *list;
	double t;
	long i;

	snprintf(cmd, sizeof cmd, "find '%s' -type f -name 'm1-*'", dir);
	list = popen(cmd, "r");
	while (list && fgets(path, sizeof path, list)) {
		path[strcspn(path, "\n")] = 0;
		if (nfiles == cap)
			files = realloc(files, (cap = cap ? 2 * cap : 1024) * sizeof *files);
		files[nfiles++] = strdup(path);
	}
	if (list)
		pclose(list);
	if (!nfiles) {
		fprintf(stderr, "calls: no entry files under '%s'\n", dir);
		return 1;
	}
	t = now();
	for (i = 0; i < n; i++) {
		int fd = open(files[i % nfiles], O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			sink = read(fd, data, sizeof data);
			close(fd);
		}
	}
	printf("read_file %.0f ns\n", (now() - t) / n * 1e9);
	return 0;
}

static int fillscalar(long n)
{
	for (long i = 0; i < n; i++)
		sink = bf_scalar((int)i, 0.5);	/* run_hit_scalar's arguments: `calls hits` hits them */
	return 0;
}

static int smallraw(const char *dir, long n)
{
	char path[4096];
	MDB_env *e;
	MDB_txn *t;
	MDB_dbi used, keys;
	MDB_cursor *c;
	MDB_val k, v, s, *hashes = NULL;
	static char out[65536];
	size_t nkeys = 0, cap = 0;
	uint64_t vbytes = 0, kbytes = 0;
	long hits = 0;
	double t0, c0;

	snprintf(path, sizeof path, "%s/small2.mdb", dir);
	if (mdb_env_create(&e) || mdb_env_set_mapsize(e, 4ULL << 30) || mdb_env_set_maxdbs(e, 2) ||
	    mdb_env_open(e, path, MDB_NOSUBDIR | MDB_NOTLS | MDB_RDONLY, 0600) ||
	    mdb_txn_begin(e, NULL, MDB_RDONLY, &t) || mdb_dbi_open(t, "used", MDB_INTEGERKEY, &used) ||
	    mdb_dbi_open(t, "keys", MDB_INTEGERKEY, &keys) || mdb_txn_commit(t) ||	/* keeps the handles */
	    mdb_txn_begin(e, NULL, MDB_RDONLY, &t) || mdb_cursor_open(t, used, &c)) {
		fprintf(stderr, "calls: cannot open '%s'\n", path);
		return 1;
	}
	/* "used": when last used -> the entry's hash (32 bytes) and value */
	while (!mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (nkeys == cap)
			hashes = realloc(hashes, (cap = cap ? 2 * cap : 1024) * sizeof *hashes);
		hashes[nkeys].mv_size = 32;
		hashes[nkeys++].mv_data = memcpy(malloc(32), v.mv_data, 32);
		kbytes += 32;
		vbytes += v.mv_size - 32;
	}
	mdb_cursor_close(c);
	mdb_txn_reset(t);
	if (!nkeys) {
		fprintf(stderr, "calls: no entries in '%s'\n", path);
		return 1;
	}
	/* in no order, as a program's calls may come (each key once while
	 * N <= the entries: every hit a first touch of its page); then in
	 * the order they were written, as a rerun's calls come (and bench/run's
	 * hits: "used" is in that order, so each of its pages serves a run of
	 * reads) */
	for (int order = 0; order < 2; order++) {
		t0 = now();
		c0 = cpu_now();
		for (long i = 0; i < n; i++) {
			MDB_val *h = &hashes[order ? (size_t)i % nkeys : (size_t)i * 7919 % nkeys];

			mdb_txn_renew(t);
			/* as src/store/small.c reads: "keys" by the hash's first 8
			 * bytes, then "used", the hash compared */
			k = (MDB_val){ 8, h->mv_data };
			if (!mdb_get(t, keys, &k, &s) && !mdb_get(t, used, &s, &v) &&
			    !memcmp(v.mv_data, h->mv_data, 32)) {
				memcpy(out, (char *)v.mv_data + 32,
				       v.mv_size - 32 < sizeof out ? v.mv_size - 32 : sizeof out);
				hits++;
			}
			mdb_txn_reset(t);
		}
		printf(order ? "raw_lmdb_get_written_order %.0f ns\nraw_lmdb_get_written_order_cpu %.0f ns\n"
			     : "raw_lmdb_get %.0f ns\nraw_lmdb_get_cpu %.0f ns\n",
		       (now() - t0) / n * 1e9, (cpu_now() - c0) / n * 1e9);
	}
	if (hits != 2 * n)
		fprintf(stderr, "calls: %ld of %ld reads found their entry\n", hits, 2 * n);
	printf("small_entries %zu n\nsmall_value_bytes %" PRIu64 " B\nsmall_key_bytes %" PRIu64 " B\n",
	       nkeys, vbytes, kbytes);
	return 0;
}

/* A loop of remote hits alone, for counting its instructions. */
static int hits(long first, long n)
{
	run_hit_scalar(NULL, first, n);
	return 0;
}

/* A loop of bare gets alone; with `store`, their values stored instead. */
static int gets(long first, long n, int port, bool store)
{
	struct side s = { .run = run_bare, .mc = connect_to(port) };

	if (store)
		preload_baseline_values(s.mc, first + n);
	else {
		make_bare_keys(first + n);
		run_bare(&s, first, n);
	}
	memcached_free(s.mc);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "hits"))
		return hits(atol(argv[2]), atol(argv[3]));
	if (argc >= 5 && !strcmp(argv[1], "gets"))
		return gets(atol(argv[2]), atol(argv[3]), atoi(argv[4]),
			    argc >= 6 && !strcmp(argv[5], "store"));
	if (argc >= 4 && !strcmp(argv[1], "miss"))
		return miss(atol(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "readfiles"))
		return readfiles(argv[2], atol(argv[3]));
	if (argc >= 2 && !strcmp(argv[1], "l1"))
		return l1(argc >= 3 ? atol(argv[2]) : 2000000);
	if (argc >= 4 && !strcmp(argv[1], "smallraw"))
		return smallraw(argv[2], atol(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "fillscalar"))
		return fillscalar(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "fill"))
		return fill(atol(argv[2]), argc >= 4 ? atoi(argv[3]) : 0);
	if (argc >= 4 && !strcmp(argv[1], "shared"))
		return shared(atol(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "threads"))
		return threads(atol(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: calls l1 | fill N [PORT] | shared N PORT | threads N PORT | miss N PORT | readfiles DIR N | fillscalar N | smallraw DIR N | hits FIRST N | gets FIRST N PORT [store]\n");
	return 2;
}
