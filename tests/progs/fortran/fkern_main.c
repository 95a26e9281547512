/*
 * Calls fkern (fkern.f90) as C calls Fortran: every argument by reference,
 * the CHARACTER's length last. For each size: the workspace query
 * (lwork = -1), then the call with the workspace it asked for, twice with
 * 'S' and once with 'M'. Prints every result exactly.
 *   fkern-main [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>

void fkern_(const char *job, const int *n, const int *m, const double *a, const int *lda,
	    const double *tol, double *r, double *work, const int *lwork, int *info,
	    size_t job_len);

static void run(int n, int m, int lda)
{
	static const char jobs[] = "SSM";
	double a[64], r[8], query, work[16], tol = 0.5;
	int lwork = -1, info = 7;

	for (int i = 0; i < lda * m; i++)
		a[i] = (double)((i * 7 + n) % 11) / 3.0;
	fkern_("S", &n, &m, a, &lda, &tol, r, &query, &lwork, &info, 1);
	printf("n=%d m=%d lda=%d query %.17g info %d\n", n, m, lda, query, info);
	lwork = (int)query;
	for (int k = 0; k < 3; k++) {
		info = 7;
		fkern_(&jobs[k], &n, &m, a, &lda, &tol, r, work, &lwork, &info, 1);
		printf("  %c info %d:", jobs[k], info);
		for (int i = 0; i < n; i++)
			printf(" %.17g", r[i]);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1;

	for (int k = 0; k < rounds; k++) {
		run(3, 4, 3);
		run(5, 2, 8);
		run(1, 6, 1);
	}
	return 0;
}
