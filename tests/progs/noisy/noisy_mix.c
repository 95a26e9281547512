/*
 * noisy_mix: one process touching three keys of repeated evaluations, for the
 * convergence stats: noisy_pos(1) until it converges, noisy_zero(2) until it
 * stops at max_repetitions, noisy_pos(3) once (left open). Prints the values.
 */
#include <stdio.h>

double noisy_pos(int key);
double noisy_zero(int key);

int main(void)
{
	double a = 0, b = 0, c;
	int i;

	for (i = 0; i < 2000; i++)
		a = noisy_pos(1);
	for (i = 0; i < 200; i++)
		b = noisy_zero(2);
	c = noisy_pos(3);
	printf("%.17g\n%.17g\n%.17g\n", a, b, c);
	return 0;
}
