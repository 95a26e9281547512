/*
 * libreplug.so, built twice: BUILD 1 and BUILD 2 differ in one constant, so
 * their code identities differ and so do their results (reload_f(5) is 11,
 * then 12). The body reports each run (runs.h).
 */
#include "../runs.h"

__attribute__((visibility("default"))) int reload_f(int x)
{
	test_ran("reload_f");
	return 2 * x + BUILD;
}
