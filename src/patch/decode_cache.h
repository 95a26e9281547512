/*
 * decode_cache: what x86.c found at a function's entry (the instructions a
 * jump there displaces, and that the whole function may be patched), kept
 * in the identity folder for the next process, which then patches without
 * Zydis: with ten libc functions, decoding and scanning them was a fifth of
 * a start-up's instructions, and loading Zydis ~20 page faults.
 * A plan is keyed by the bytes it was decoded from: BLAKE2b of the
 * function's code, its cold part and where the jump goes (and Zydis's
 * version), so that a plan is only ever used for the very bytes it
 * describes, whatever happened to the file. Plans are filed by object file
 * (path, device, inode, size, mtime), one file each, "d2-HEX"; only plans
 * that passed every check are kept: a refusal is found again, with its text.
 * Calls identity (the folder), util, BLAKE2b. Start-up and dlopen only,
 * under runtime_lock (and `memo inspect`, which has no folder set: then
 * nothing is kept).
 *
 * Usage, as inline.c's check:
 *
 *     struct decode_key k;
 *     if (!decode_cache_get(h, lo, size, cold, cold_size, at, &k, &e)) {
 *             ... x86_displaced and x86_scan into e ...
 *             decode_cache_put(h, &k, &e);
 *     }
 */
#ifndef MEMO_DECODE_CACHE_H
#define MEMO_DECODE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "find/hook.h"
#include "patch/x86.h"

struct decode_key {
	int usable;		/* a folder and the file's facts: plans can be kept */
	uint8_t hash[16];
};

/* The plan kept for the function at h->target, whose code is [lo, lo+size)
 * and [cold, cold+cold_size) (cold_size 0: none), patched at `at`: 1 found
 * into *e, 0 none. Sets *k for decode_cache_put. */
int decode_cache_get(const struct hook *h, uintptr_t lo, size_t size, uintptr_t cold,
		     size_t cold_size, uintptr_t at, struct decode_key *k, struct x86_entry *e);

/* Keep *e, which passed x86_scan, under k (a plan with an instruction that
 * cannot be relocated is not kept). */
void decode_cache_put(const struct hook *h, const struct decode_key *k, const struct x86_entry *e);

#endif
