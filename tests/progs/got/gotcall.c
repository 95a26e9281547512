/*
 * libgotcall-*.so: a library whose calls into libgotlib cross objects, built
 * once per link mode (build.mk: lazy PLT, full RELRO, -fno-plt). call_dlopen
 * loads a plugin by bare name through this library's own RUNPATH
 * ($ORIGIN/plugins), so a dlopen thunk that lost the caller would not find it.
 */
#include <dlfcn.h>

int got_add(int a, int b);
int vers_fn(void);
int vers_fn_v1(void);
__asm__(".symver vers_fn_v1, vers_fn@V1");

__attribute__((visibility("default"))) int call_add(int a, int b)
{
	return got_add(a, b);
}

__attribute__((visibility("default"))) int call_vers(void)
{
	return vers_fn();
}

__attribute__((visibility("default"))) int call_vers1(void)
{
	return vers_fn_v1();
}

__attribute__((visibility("default"))) void *call_dlopen(const char *name, int flags)
{
	return dlopen(name, flags);
}
