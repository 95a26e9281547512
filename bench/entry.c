/*
 * entry: the per-call cost of the inline entry path on a hit — a direct call
 * of an entry-patched function in this executable: jump → stub → entry.S
 * (all registers saved, stack aligned) → libffi closure → call path → l1 hit
 * — against, in the same run, a direct call of an identical unpatched
 * function and a bare libffi closure whose handler ffi_calls it.
 *
 *   entry LIBMEMO_SO   writes a config for ent_fn in a temporary folder and
 *                      runs itself again under LD_PRELOAD=LIBMEMO_SO
 * MEMO_INLINE_VEC=sse|xsave|xsavec picks how entry.S keeps vector state.
 * Prints "name value unit" lines (ns per call, and ratios to the baselines).
 */
#include <ffi.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define N 2000000L

static volatile long body_runs;
static volatile double sink;

/* The memoized one (entry-patched) and its unpatched twin: same code. */
__attribute__((noinline)) double ent_fn(int a, double b)
{
	body_runs++;
	return a * 0.5 + b;
}

__attribute__((noinline)) double ent_raw(int a, double b)
{
	return a * 0.5 + b;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Removes the temporary config and cache, deepest first. */
static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static void closure_handler(ffi_cif *cif, void *ret, void **args, void *data)
{
	(void)data;
	ffi_call(cif, FFI_FN(ent_raw), ret, args);
}

/* Write the config and run this program again with libmemo preloaded. */
static int relaunch(char **argv)
{
	char dir[] = "/tmp/memo-bench-entry.XXXXXX", path[256];
	FILE *f;

	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(path, sizeof path, "%s/ent_fn.conf", dir);
	if (!(f = fopen(path, "w")))
		return perror(path), 1;
	fputs("[function ent_fn]\nprototype = double ent_fn(int a, double b)\nmechanism = inline\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/cache.conf", dir);
	if (!(f = fopen(path, "w")))
		return perror(path), 1;
	fprintf(f, "[cache]\ndir = %s/cache\nstats = off\n", dir);
	fclose(f);
	setenv("MEMO_CONFIG", dir, 1);
	setenv("LD_PRELOAD", argv[1], 1);
	setenv("ENTRY_BENCH_DIR", dir, 1);
	setenv("MEMO_LOG", "error", 0);	/* ent_fn's counter is a purity warning */
	execv("/proc/self/exe", argv);
	return perror("execv"), 1;
}

int main(int argc, char **argv)
{
	ffi_type *types[2] = { &ffi_type_sint32, &ffi_type_double };
	double (*through_closure)(int, double), (*volatile raw)(int, double) = ent_raw;
	double t, direct = 0, closure = 0, entry = 0;
	ffi_closure *cl;
	ffi_cif cif;
	void *code;
	long i;

	if (!getenv("ENTRY_BENCH_DIR")) {
		if (argc < 2) {
			fprintf(stderr, "usage: entry LIBMEMO_SO\n");
			return 2;
		}
		return relaunch(argv);
	}
	cl = ffi_closure_alloc(sizeof *cl, &code);
	ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 2, &ffi_type_double, types);
	ffi_prep_closure_loc(cl, &cif, closure_handler, NULL, code);
	through_closure = (double (*)(int, double))code;

	sink = ent_fn(7, 0.25);		/* the miss that fills l1 */
	for (int round = 0; round < 2; round++) {	/* the first round warms up */
		t = now();
		for (i = 0; i < N; i++)
			sink = raw(7, 0.25);
		direct = (now() - t) / N * 1e9;
		t = now();
		for (i = 0; i < N; i++)
			sink = through_closure(7, 0.25);
		closure = (now() - t) / N * 1e9;
		t = now();
		for (i = 0; i < N; i++)
			sink = ent_fn(7, 0.25);
		entry = (now() - t) / N * 1e9;
	}
	if (body_runs != 1) {
		fprintf(stderr, "entry: ent_fn ran %ld times: it is not memoized through its entry\n",
			body_runs);
		return 1;
	}
	printf("direct_call %.2f ns\n", direct);
	printf("closure_ffi_call %.2f ns\n", closure);
	printf("inline_entry_l1_hit %.2f ns\n", entry);
	printf("inline_entry_over_closure %.2f x\n", entry / closure);
	printf("inline_entry_over_direct %.2f x\n", entry / direct);
	ffi_closure_free(cl);
	nftw(getenv("ENTRY_BENCH_DIR"), remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
