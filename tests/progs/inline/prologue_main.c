/*
 * t0502's target: calls each prologue of prologue.S (and a variadic C
 * function) and prints the results, so runs with and without entry patching
 * compare byte for byte. `prologue crash` calls p_crash(NULL), `prologue
 * callcrash` p_call_crash(NULL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

long p_riprel(long x);
double p_sse66(double x);
long p_endbr(long x);
int p_jcc_call(int x);
int p_backedge(int n);
int p_tiny(int x);
int p_crash(const int *p);
int p_call_crash(const int *p);

__attribute__((noinline)) int p_vsum(int n, ...)
{
	va_list ap;
	double s = 0;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s += va_arg(ap, double);
	va_end(ap);
	return (int)s;
}

int main(int argc, char **argv)
{
	int one = 1;

	if (argc > 1 && !strcmp(argv[1], "crash"))
		return p_crash(NULL);
	if (argc > 1 && !strcmp(argv[1], "callcrash"))
		return p_call_crash(NULL);
	for (int i = -2; i < 3; i++)
		printf("riprel(%d)=%ld sse66=%g endbr=%ld jcc_call=%d backedge=%d tiny=%d crash=%d\n",
		       i, p_riprel(i), p_sse66(i), p_endbr(i), p_jcc_call(i), p_backedge(i),
		       p_tiny(i), p_crash(&one));
	printf("vsum=%d\n", p_vsum(3, 1.0, 2.0, 3.5));
	return 0;
}
