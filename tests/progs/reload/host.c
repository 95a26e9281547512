/*
 * reloadhost DIR [NEW]: a plugin host. dlopens DIR/libreuser.so (which brings
 * DIR/libreplug.so), prints reload_g(5) twice, dlcloses it, renames NEW over
 * DIR/libreplug.so when given (a rebuilt plugin installed), dlopens it again
 * in the same process and prints reload_g(5) and reload_g(6), each twice.
 * With a third argument, `early`, NEW is renamed over the file right after
 * the first dlopen, before any call: the build loaded is no longer the file
 * at its path (until the reload).
 * With RELOAD_DLCLOSE_BY_POINTER set it calls dlclose through the pointer
 * dlsym gives, not through its own GOT slot.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* dlclose through the pointer dlsym gives (RELOAD_DLCLOSE_BY_POINTER), or
 * NULL: through this program's own GOT slot, as plugin hosts do. */
static int (*close_by_pointer)(void *);

static int close_plugin(void *h)
{
	return close_by_pointer ? close_by_pointer(h) : dlclose(h);
}

static int (*load(const char *path, void **h))(int)
{
	int (*g)(int);

	*h = dlopen(path, RTLD_NOW);
	if (!*h) {
		printf("dlopen failed: %s\n", dlerror());
		exit(1);
	}
	g = (int (*)(int))dlsym(*h, "reload_g");
	if (!g) {
		printf("no reload_g: %s\n", dlerror());
		exit(1);
	}
	return g;
}

int main(int argc, char **argv)
{
	char user[4096], plug[4096];
	int (*g)(int);
	void *h;

	if (argc < 2)
		return 2;
	if (getenv("RELOAD_DLCLOSE_BY_POINTER"))
		close_by_pointer = (int (*)(void *))dlsym(RTLD_DEFAULT, "dlclose");
	snprintf(user, sizeof user, "%s/libreuser.so", argv[1]);
	snprintf(plug, sizeof plug, "%s/libreplug.so", argv[1]);
	g = load(user, &h);
	if (argc > 3 && rename(argv[2], plug)) {
		perror("rename");
		return 1;
	}
	printf("g(5) = %d\n", g(5));
	printf("g(5) = %d\n", g(5));
	if (close_plugin(h)) {
		printf("dlclose failed: %s\n", dlerror());
		return 1;
	}
	if (argc == 3 && rename(argv[2], plug)) {
		perror("rename");
		return 1;
	}
	g = load(user, &h);
	printf("after the reload: g(5) = %d\n", g(5));
	printf("after the reload: g(5) = %d\n", g(5));
	printf("after the reload: g(6) = %d\n", g(6));
	printf("after the reload: g(6) = %d\n", g(6));
	close_plugin(h);
	return 0;
}
