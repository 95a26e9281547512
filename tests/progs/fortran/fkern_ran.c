/* fkern's side channel (tests/progs/runs.h), for Fortran: `call fkern_ran()`. */
#include "runs.h"

void fkern_ran_(void);

void fkern_ran_(void)
{
	test_ran("fkern");
}
