/*
 * One library's copy of copy_solve, and a caller inside that library that
 * reaches it (tests/t1430-t1432). Built twice, as libcopya.so (COPY 'a':
 * 3n+1) and libcopyb.so (COPY 'b': 3n+2): two objects defining one name,
 * each reached by a different caller. -Wl,-Bsymbolic-functions binds
 * COPY_run's call to its own library's copy, as a library built that way
 * (or calling a hidden alias) does; each body reports which copy ran.
 */
#include "../runs.h"

#define NAME2(a, b) a##b
#define NAME(a, b) NAME2(a, b)

__attribute__((noinline)) int copy_solve(int n)
{
	test_ran(COPY == 'a' ? "copy_solve_a" : "copy_solve_b");
	return 3 * n + (COPY == 'a' ? 1 : 2);
}

/* a_run or b_run: this library's own caller of copy_solve */
int NAME(COPY_PREFIX, _run)(int n)
{
	return copy_solve(n) + 1000;
}
