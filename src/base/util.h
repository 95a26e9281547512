/*
 * util: small helpers that several layers need, written once: hex text and
 * the clocks.
 * Calls libc only. Hot-path safe: no allocation, no lock; any thread, and
 * after fork.
 */
#ifndef MEMO_UTIL_H
#define MEMO_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The n bytes at `in` as 2n lowercase hex digits and a NUL: `out` has room
 * for 2n + 1 bytes.
 *   char text[2 * 32 + 1];
 *   util_hex(text, digest, 32);
 */
void util_hex(char *out, const void *in, size_t n);

/* The reverse: `text` must be exactly 2n hex digits (either case), then its
 * end; 0, or -1 (out then holds garbage). */
int util_unhex(uint8_t *out, const char *text, size_t n);

/* CLOCK_MONOTONIC in ns: for durations and deadlines. */
uint64_t util_now_ns(void);

/* CLOCK_REALTIME in ns: only to compare with file times. */
uint64_t util_wall_ns(void);

#endif
