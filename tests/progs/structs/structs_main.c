/* Calls every function of the structs library REPS times and prints each
 * result exactly (hex floats), and libc's div(). The padding of the samples
 * handed to weigh() and weigh_one() is filled with PAD, and with PAD + 1 on
 * a second call: the same fields must be the same call.
 * Usage: structs_main REPS PAD */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "structs.h"

/* Samples built in memory first filled with `pad`, so their padding bytes
 * are pad's whatever the compiler does with the fields. */
static struct sample *samples(unsigned char *buf, int n, int pad)
{
	struct sample *s = (struct sample *)buf;

	memset(buf, pad, sizeof(struct sample) * (size_t)n);
	for (int i = 0; i < n; i++) {
		s[i].tag = (char)('A' + i);
		s[i].w = 0.25 * (i + 1);
		s[i].k = (short)(3 - i);
	}
	return s;
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 1, pad = argc > 2 ? atoi(argv[2]) : 0;
	double x[6] = { 2.5, -1, 7.25, 3, 0.125, 7 };
	_Alignas(16) unsigned char buf[4 * sizeof(struct sample)];

	for (int rep = 0; rep < reps; rep++) {
		struct range r = minmax(x, 6), r3 = minmax(x, 3);
		struct stats3 s = summarize(x, 6);
		struct pair p = best(x, 6);
		struct small h = halves(-7);
		struct sample made[5], *in;
		double _Complex c = cpow_n(1.5 + 0.5 * I, 5);
		float _Complex f = cf_rot(2.0f - 1.0f * I);
		long double _Complex l = cl_sq(1.25L + 2.0L * I);
		div_t d = div(-17, 5);
		struct wide w = widen((struct wide){ 1.0L / 3, 4 }, 2.5);

		printf("minmax %a %a / %a %a\n", r.lo, r.hi, r3.lo, r3.hi);
		printf("summarize %a %a %ld\n", s.mean, s.var, s.n);
		printf("best %ld %a\n", p.k, p.w);
		printf("halves %d %a\n", h.a, (double)h.b);
		printf("span %a\n", span(r, 0.5));
		for (int k = 0; k < 2; k++) {
			in = samples(buf, 4, pad + k);
			printf("weigh %a %a\n", weigh(in, 4), weigh(in, 2));
			printf("weigh_one %a\n", weigh_one(in[1]));
		}
		memset(made, 0x5a, sizeof made);
		make_samples(5, made);
		for (int i = 0; i < 5; i++)
			printf("made %d %a %d\n", made[i].tag, made[i].w, made[i].k);
		printf("cpow_n %a %a\n", creal(c), cimag(c));
		printf("cf_rot %a %a\n", (double)crealf(f), (double)cimagf(f));
		printf("cl_sq %La %La\n", creall(l), cimagl(l));
		printf("div %d %d\n", d.quot, d.rem);
		printf("widen %La %d\n", w.x, w.n);
	}
	return 0;
}
