/*
 * libgotlib.so: the functions the GOT tests hook. Each body reports its run
 * (runs.h), so a test sees whether a call reached the original. vers_fn has
 * two versions (gotlib.map): vers_fn@V1 returns 1, the default vers_fn@@V2
 * returns 2, so a slot bound to the wrong one shows in the result.
 */
#include "../runs.h"

__attribute__((visibility("default"))) int got_add(int a, int b)
{
	test_ran("got_add");
	return a + b;
}

__attribute__((visibility("default"))) double got_scale(double x, int k)
{
	test_ran("got_scale");
	return x * k;
}

int vers_fn_v1(void);
int vers_fn_v2(void);
__asm__(".symver vers_fn_v1, vers_fn@V1");
__asm__(".symver vers_fn_v2, vers_fn@@V2");

__attribute__((visibility("default"))) int vers_fn_v1(void)
{
	test_ran("vers_fn@V1");
	return 1;
}

__attribute__((visibility("default"))) int vers_fn_v2(void)
{
	test_ran("vers_fn@V2");
	return 2;
}
