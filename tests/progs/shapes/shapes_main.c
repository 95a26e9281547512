/* Calls every function of the shapes library and prints each result exactly
 * (floating values in hex), so the output of a run under libmemo can be
 * compared byte for byte with a run without it. Takes a repeat count. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shapes.h"

static void print_doubles(const char *what, const double *v, size_t n)
{
	size_t i;

	printf("%s:", what);
	for (i = 0; i < n; i++)
		printf(" %a", v[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	int rep, reps = argc > 1 ? atoi(argv[1]) : 1;

	for (rep = 0; rep < reps; rep++) {
		double x[5] = { 1, 2, 3, 4, 5 }, y[5] = { 0.5, -1, 2, 0.25, 8 };
		float g[6] = { 1, 2, 3, 4, 5, 6 };
		double out[7], io[4] = { 1, 2, 3, 4 };
		char dst[32] = "", *m;
		const char *s;
		double v;
		int e;

		printf("i8 %d u8 %u i16 %d u16 %u\n", sc_i8(-77), sc_u8(200), sc_i16(-1234), sc_u16(60000));
		printf("i32 %d u32 %u i64 %lld u64 %llu\n", sc_i32(-123456), sc_u32(4000000000u),
		       (long long)sc_i64(-1234567890123LL), (unsigned long long)sc_u64(77));
		printf("f32 %a f64 %a f80 %La\n", sc_f32(3.25f), sc_f64(-0.0), sc_f80(10.0L));
		printf("bool %d char %d size %zu short %d\n", sc_bool(false), sc_char('a'),
		       sc_size((size_t)1 << 40), sc_short(-300, 65000, -5, 250));
		printf("many %a\n", many(1, 2, 3, 4, 5, 6, 7, 8, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0));
		printf("dot %a %a\n", dot(x, y, 5), dot(x, y, 3));
		printf("grid %a %a\n", grid_sum(g, 2, 3), grid_sum(g, 3, 2));
		fill(7, out, 7);
		print_doubles("fill", out, 7);
		scale(io, 4, 2.5);
		print_doubles("scale", io, 4);
		printf("vowels %zu %zu %zd\n", count_vowels("memoization"), count_vowels(""),
		       (ssize_t)count_vowels(NULL));
		printf("sum_or_nan %a %a\n", sum_or_nan(x, 5), sum_or_nan(NULL, 5));
		s = describe(41);
		printf("describe %s\n", s ? s : "(null)");
		s = describe(-1);
		printf("describe %s\n", s ? s : "(null)");
		m = describe_copy(12);
		printf("describe_copy %s\n", m ? m : "(null)");
		free(m);
		m = join_into(dst, "left", "right");
		printf("join %s %d\n", m ? m : "(null)", m == dst);
		m = join_into(dst, "a-string-that-is-far-too-long", "to-fit");
		printf("join %s\n", m ? m : "(null)");
		printf("with_job %a %a\n", with_job(3, 1001), with_job(3, 2002));
		printf("fast %d\n", fast(41));
		errno = 0;
		v = log_of(-1.0);
		e = errno;
		printf("log %a errno %s\n", v, e == EDOM ? "EDOM" : e ? "other" : "0");
		v = log_of(0.0);
		e = errno;
		printf("log %a errno %s\n", v, e == ERANGE ? "ERANGE" : e ? "other" : "0");
	}
	return 0;
}
