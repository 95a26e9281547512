/*
 * gotprog-plugin: dlopens "libgotplug.so" by bare name, found only through
 * this program's DT_RUNPATH $ORIGIN/plugins, and calls into it. Its output,
 * dlerror() text included, must be identical with and without libmemo.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
	void *h = dlopen("libgotplug.so", RTLD_NOW);
	int (*plug_add)(int, int);
	void *missing;
	const char *err;

	if (!h) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	err = dlerror();
	printf("dlerror after dlopen: %s\n", err ? err : "(none)");
	plug_add = (int (*)(int, int))dlsym(h, "plug_add");
	printf("plug_add(2, 3) = %d\n", plug_add(2, 3));
	printf("plug_add(2, 3) = %d\n", plug_add(2, 3));
	missing = dlopen("libgot-no-such-plugin.so", RTLD_NOW);
	printf("missing plugin: %p %s\n", missing, dlerror() ? "error set" : "no error");
	dlclose(h);
	return 0;
}
