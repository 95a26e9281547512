/*
 * Calls copy_solve through both copies (tests/t1430-t1432): the program's
 * own call binds to libcopya.so's (linked), a_run reaches a's, b_run b's.
 * libcopyb.so is dlopened after main starts (COPY_PLUGIN names it, else
 * libcopyb.so beside the program), or, in copyprog-linked, linked too.
 * Usage: copyprog N...   prints each call's result, one line per N.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int copy_solve(int n);
int a_run(int n);
#ifdef LINKED
int b_run(int n);
#endif

int main(int argc, char **argv)
{
	int (*run_b)(int);
#ifdef LINKED
	run_b = b_run;
#else
	char path[PATH_MAX];
	const char *plugin = getenv("COPY_PLUGIN");
	ssize_t len = readlink("/proc/self/exe", path, sizeof path - 32);
	void *h;

	if (!plugin) {
		if (len <= 0)
			return 2;
		path[len] = '\0';
		strcpy(strrchr(path, '/') + 1, "libcopyb.so");
		plugin = path;
	}
	h = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
	if (!h || !(run_b = (int (*)(int))dlsym(h, "b_run"))) {
		fprintf(stderr, "copyprog: %s\n", dlerror());
		return 2;
	}
#endif
	for (int i = 1; i < argc; i++) {
		int n = atoi(argv[i]);
		printf("n=%d copy_solve=%d a_run=%d b_run=%d\n", n, copy_solve(n), a_run(n), run_b(n));
	}
	return 0;
}
