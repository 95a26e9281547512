/* Functions of many shapes, for end-to-end tests of the prototype language.
 * Each body reports its run through test_ran (tests/progs/runs.h). */
#ifndef SHAPES_H
#define SHAPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int8_t sc_i8(int8_t x);
uint8_t sc_u8(uint8_t x);
int16_t sc_i16(int16_t x);
uint16_t sc_u16(uint16_t x);
int32_t sc_i32(int32_t x);
uint32_t sc_u32(uint32_t x);
int64_t sc_i64(int64_t x);
uint64_t sc_u64(uint64_t x);
float sc_f32(float x);
double sc_f64(double x);
long double sc_f80(long double x);
bool sc_bool(bool x);
char sc_char(char x);
size_t sc_size(size_t x);
short sc_short(short a, unsigned short b, signed char c, unsigned char d);

double many(int a, int b, int c, int d, int e, int f, int g, int h,
	    double d0, double d1, double d2, double d3, double d4,
	    double d5, double d6, double d7, double d8, double d9);
double dot(const double *x, const double *y, size_t n);
double grid_sum(const float *g, int rows, int cols);
void fill(int seed, double *buf, size_t n);
void scale(double *v, size_t n, double k);
size_t count_vowels(const char *s);
double sum_or_nan(const double *x, size_t n);
char *describe(int x);
char *describe_copy(int x);
char *join_into(char *dst, const char *a, const char *b);
double with_job(int seed, long job_id);
int fast(int x);
int fast_pure(int x);
double log_of(double x);

#endif
