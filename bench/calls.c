/*
 * calls: per-call costs of libmemo against baselines measured in this same
 * process, run under LD_PRELOAD=libmemo.so by bench/run.
 *
 *   calls l1 [N]        in-process hit vs a bare libffi closure + ffi_call
 *                       (and a direct call), N calls each (default 2e6)
 *   calls fill N        call bf_scalar and bf_buf (8 KiB) on N distinct
 *                       arguments: fills the shared store
 *   calls shared N PORT the same N calls in a new process (l1 is empty, so
 *                       each is a hit from the shared store) vs the plain C
 *                       path — BLAKE2b of the same arguments + one
 *                       libmemcached get of a value of the same size — and
 *                       vs the bare get (PORT 0: folder store, no baseline)
 *   calls threads N PORT hits per second with 2 threads vs 2 threads of raw
 *                       libmemcached gets
 *   calls miss N PORT   N misses of bf_spin (about 20 µs each) vs the same
 *                       calls of the unhooked copy, and a get round trip
 *   calls readfiles DIR N  the baseline of a folder hit: open, read and
 *                       close each entry file under DIR, N reads in all
 * Prints "name value unit" lines that bench/run turns into ratios.
 */
#include <blake2.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>
#include <ffi.h>
#include <libmemcached/memcached.h>
#include <pthread.h>
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
	for (int round = 0; round < 2; round++) {	/* the first round warms up */
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

static int fill(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		sink = bf_scalar((int)i, 0.5);
		fill_buf(i);
		sink = bf_buf(buf, sizeof buf);
	}
	return 0;
}

static memcached_st *connect_to(int port)
{
	memcached_st *mc = memcached_create(NULL);

	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	memcached_server_add(mc, "127.0.0.1", (in_port_t)port);
	return mc;
}

/* The plain C path: hash the arguments as libmemo does (BLAKE2b-256), then
 * one get of a key of the same length for a value of the same size. */
static double plain_path(memcached_st *mc, long n, size_t argbytes, int hash)
{
	char key[68];
	size_t vlen;
	uint32_t flags;
	memcached_return_t rc;
	uint8_t digest[32];
	double t = now();
	long i;

	for (i = 0; i < n; i++) {
		if (hash) {
			blake2b_state s;
			fill_buf(i);
			blake2b_init(&s, 32);
			blake2b_update(&s, buf, argbytes);
			blake2b_final(&s, digest, 32);
		}
		snprintf(key, sizeof key, "bench-%061ld", i % 64);
		char *v = memcached_get(mc, key, 67, &vlen, &flags, &rc);
		free(v);
	}
	return (now() - t) / n * 1e9;
}

static void preload_baseline_values(memcached_st *mc, size_t vsize)
{
	char key[68], *v = calloc(1, vsize);
	long i;

	for (i = 0; i < 64; i++) {
		snprintf(key, sizeof key, "bench-%061ld", i);
		memcached_set(mc, key, 67, v, vsize, 0, 0);
	}
	free(v);
}

static int shared(long n, int port)
{
	double t, scalar_ns, buf_ns;
	long i;

	t = now();
	for (i = 0; i < n; i++)
		sink = bf_scalar((int)i, 0.5);
	scalar_ns = (now() - t) / n * 1e9;
	t = now();
	for (i = 0; i < n; i++) {
		fill_buf(i);
		sink = bf_buf(buf, sizeof buf);
	}
	buf_ns = (now() - t) / n * 1e9;
	printf("hit_scalar %.0f ns\nhit_8k %.0f ns\n", scalar_ns, buf_ns);
	if (port) {
		memcached_st *mc = connect_to(port);
		/* value size of one libmemo entry for a double return: header + part */
		preload_baseline_values(mc, 88 + 8 + 8);
		plain_path(mc, 2000, 16, 1);	/* warm up */
		printf("plain_scalar %.0f ns\n", plain_path(mc, n, 16, 1));
		printf("plain_8k %.0f ns\n", plain_path(mc, n, BUF, 1));
		printf("bare_get %.0f ns\n", plain_path(mc, n, 0, 0));
		memcached_free(mc);
	}
	return 0;
}

struct thread_arg {
	long first, n;
	int port, raw;
};

static void *hammer(void *p)
{
	struct thread_arg *a = p;
	long i;

	if (a->raw) {
		memcached_st *mc = connect_to(a->port);
		plain_path(mc, a->n, 0, 0);
		memcached_free(mc);
		return NULL;
	}
	for (i = 0; i < a->n; i++)
		sink = bf_scalar((int)(a->first + i), 0.5);
	return NULL;
}

static double run_threads(long n, int port, int raw)
{
	pthread_t t[2];
	struct thread_arg a[2] = { { 0, n / 2, port, raw }, { n / 2, n / 2, port, raw } };
	double start = now();

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hammer, &a[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return n / (now() - start);
}

static int miss(long n, int port)
{
	double t, direct, missed;
	long i;

	load_raw();
	for (i = 0; i < 200; i++)	/* warm up, on keys the timed loop never uses */
		sink = bf_spin((int)(-1 - i));
	t = now();
	for (i = 0; i < n; i++)
		sink = raw_spin((int)i);
	direct = (now() - t) / n * 1e9;
	t = now();
	for (i = 0; i < n; i++)
		sink = bf_spin((int)i);
	missed = (now() - t) / n * 1e9;
	printf("spin_direct %.0f ns\nspin_miss %.0f ns\nmiss_overhead %.0f ns\n", direct, missed,
	       missed - direct);
	if (port) {
		memcached_st *mc = connect_to(port);
		preload_baseline_values(mc, 104);
		plain_path(mc, 2000, 16, 1);
		printf("get_and_hash %.0f ns\n", plain_path(mc, n, 16, 1));
		memcached_free(mc);
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

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "miss"))
		return miss(atol(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "readfiles"))
		return readfiles(argv[2], atol(argv[3]));
	if (argc >= 2 && !strcmp(argv[1], "l1"))
		return l1(argc >= 3 ? atol(argv[2]) : 2000000);
	if (argc >= 3 && !strcmp(argv[1], "fill"))
		return fill(atol(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "shared"))
		return shared(atol(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "threads")) {
		long n = atol(argv[2]);
		int port = atoi(argv[3]);
		printf("hits_per_s_2threads %.0f /s\n", run_threads(n, port, 0));
		printf("raw_gets_per_s_2threads %.0f /s\n", run_threads(n, port, 1));
		return 0;
	}
	fprintf(stderr, "usage: calls l1 | fill N | shared N PORT | threads N PORT | miss N PORT | readfiles DIR N\n");
	return 2;
}
