/*
 * libwrapnext.so: wraps libc's puts with dlsym(RTLD_NEXT, "puts"), as
 * interposing libraries do. RTLD_NEXT depends on who calls dlsym: libmemo
 * must not change it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

__attribute__((visibility("default"))) int puts(const char *s)
{
	int (*next)(const char *) = (int (*)(const char *))dlsym(RTLD_NEXT, "puts");

	if (!next)
		return EOF;
	fputs("[wrapped] ", stdout);
	return next(s);
}
