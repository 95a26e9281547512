/*
 * LAPACK from C, as issue 15's users reach it: dgesv_ (solve A X = B) for
 * two sizes, and dsyev_ (eigenvalues and vectors of a symmetric matrix)
 * with its workspace query (lwork = -1) before the real call. Every call
 * twice. Prints every result exactly (the matrices dgesv_ overwrites too).
 *   lapack-main
 */
#include <stdio.h>

void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv, double *b,
	    const int *ldb, int *info);
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
	    double *w, double *work, const int *lwork, int *info, size_t jobz_len,
	    size_t uplo_len);

static void print(const char *what, const double *v, int n)
{
	printf("%s", what);
	for (int i = 0; i < n; i++)
		printf(" %.17g", v[i]);
	printf("\n");
}

static void fill(double *a, int n, int seed)
{
	for (int j = 0; j < n; j++)
		for (int i = 0; i < n; i++)	/* symmetric, diagonally dominant */
			a[i + j * n] = i == j ? 10.0 + i : (double)((i + j + seed) % 5) / 4.0;
}

static void solve(int n, int nrhs)
{
	double a[64], b[32];
	int ipiv[8], info = -7;

	fill(a, n, 1);
	for (int i = 0; i < n * nrhs; i++)
		b[i] = i % 3 + 1;
	dgesv_(&n, &nrhs, a, &n, ipiv, b, &n, &info);
	printf("dgesv n=%d nrhs=%d info=%d ipiv", n, nrhs, info);
	for (int i = 0; i < n; i++)
		printf(" %d", ipiv[i]);
	printf("\n");
	print("  x", b, n * nrhs);
	print("  lu", a, n * n);
}

static void eig(int n)
{
	double a[64], w[8], query = 0, work[512];
	int lwork = -1, info = -7;

	fill(a, n, 2);
	dsyev_("V", "U", &n, a, &n, w, &query, &lwork, &info, 1, 1);
	printf("dsyev n=%d query info=%d lwork=%g\n", n, info, query);
	lwork = (int)query;
	dsyev_("V", "U", &n, a, &n, w, work, &lwork, &info, 1, 1);
	printf("dsyev n=%d info=%d\n", n, info);
	print("  w", w, n);
	print("  v", a, n * n);
}

int main(void)
{
	for (int rep = 0; rep < 2; rep++) {
		solve(3, 1);
		solve(5, 2);
		eig(4);
		eig(6);
	}
	return 0;
}
