/* The structs library: structs and complex values returned and passed by
 * value, in each of the psABI's ways (t1410-t1413). */
#ifndef STRUCTS_H
#define STRUCTS_H

#include <complex.h>
#include <stddef.h>

struct range { double lo; double hi; };			/* 16 bytes: xmm0, xmm1 */
struct stats3 { double mean; double var; long n; };	/* 24 bytes: in memory */
struct pair { long k; double w; };			/* 16 bytes: rax, xmm0 */
struct small { int a; float b; };			/* 8 bytes: rax */
struct sample { char tag; double w; short k; };		/* 24 bytes, 13 of padding */
struct wide { long double x; int n; };			/* 32 bytes: in memory */

struct range minmax(const double *x, size_t n);
struct stats3 summarize(const double *x, size_t n);
struct pair best(const double *x, size_t n);
struct small halves(int a);
double span(struct range r, double scale);
double weigh_one(struct sample s);
double weigh(const struct sample *s, size_t n);
void make_samples(int n, struct sample *out);
double _Complex cpow_n(double _Complex z, int n);
float _Complex cf_rot(float _Complex z);
long double _Complex cl_sq(long double _Complex z);
struct wide widen(struct wide w, double f);

#endif
