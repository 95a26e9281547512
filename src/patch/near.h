/*
 * near: pages within rel32 reach of given code, for entry patching's stubs
 * and trampolines. The kernel's choice of address when no list is kept yet
 * and it reaches (a library's functions, mostly); else libmemo's list of
 * the free gaps between mappings,
 * read from /proc/self/maps only when it must be (a page is carved from
 * the list; the map is read again when a listed gap proves taken or none
 * reaches). Without /proc, it probes addresses near the code instead.
 * Calls open, read, mmap. Start-up and dlopen only, under runtime_lock;
 * never on the hot path. A forked child inherits the list: it only guides,
 * since every page is mapped with MAP_FIXED_NOREPLACE.
 */
#ifndef MEMO_NEAR_H
#define MEMO_NEAR_H

#include <stdbool.h>
#include <stdint.h>

/* The size of what near_page maps. */
#define NEAR_PAGE 4096

/* A fresh private page (NEAR_PAGE bytes, read+write, anonymous) within
 * rel32 reach, with a margin, of every address in need[] (need[0]: the
 * target), the nearest to need[0]; NULL if none is free. The caller
 * munmaps it, or keeps it for good. */
uint8_t *near_page(const uintptr_t *need, int nneed);

/* npages such pages in a row, where the kernel chooses, when all of them
 * are within that reach of need[]; else NULL (near_page then finds them
 * one at a time). Start-up's batch of hooks fills them in turn: one mmap,
 * and one mprotect when the batch ends. */
uint8_t *near_run(const uintptr_t *need, int nneed, int npages);

/* Whether the NEAR_PAGE bytes at `page` are within that reach of every
 * address in need[]: inline.c fills a page it has with several hooks. */
bool near_reaches(uintptr_t page, const uintptr_t *need, int nneed);

#endif
