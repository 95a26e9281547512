/*
 * The verify and inspect tests' program. scaled() and fill() read the global
 * `scale`, set from $IMPURE_SCALE at start: impure functions whose cached
 * results go stale when the variable changes between runs. weighted() is
 * pure, with const input buffers (a DWARF prototype to suggest); zero() is
 * too short to be entry-patched; chatty() prints and counts in a
 * thread-local (purity warnings).
 *   impure X...   prints scaled(X), fill's buffer and weighted() for each X
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../runs.h"

int scale = 1;
static __thread int chats;

__attribute__((noinline)) long scaled(long x)
{
	test_ran("scaled");
	return x * scale;
}

__attribute__((noinline)) void fill(double out[], int n, int seed)
{
	test_ran("fill");
	for (int i = 0; i < n; i++)
		out[i] = seed + i * (double)scale;
}

__attribute__((noinline)) double weighted(const double *w, const double *x, size_t n)
{
	double s = 0;

	test_ran("weighted");
	for (size_t i = 0; i < n; i++)
		s += w[i] * x[i];
	return s;
}

__attribute__((noinline)) int zero(void)
{
	return 0;
}

__attribute__((noinline)) int chatty(int x)
{
	printf("chatty %d at %ld\n", x, (long)time(NULL) * 0);
	return x + ++chats;
}

int main(int argc, char **argv)
{
	const char *s = getenv("IMPURE_SCALE");
	double w[3] = { 0.5, 0.25, 0.125 }, x[3] = { 1, 2, 3 }, buf[4];

	scale = s ? atoi(s) : 1;
	for (int i = 1; i < argc; i++) {
		long v = atol(argv[i]);
		fill(buf, 4, (int)v);
		printf("scaled(%ld) = %ld; fill = %g %g %g %g; weighted = %g\n", v, scaled(v),
		       buf[0], buf[1], buf[2], buf[3], weighted(w, x, 3) + zero());
	}
	if (argc > 1 && argv[1][0] == '-')
		chatty(argc);
	return 0;
}
