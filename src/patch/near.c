#include "patch/near.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define REACH 0x7fff0000LL	/* what a rel32 reaches, with a margin */

bool near_reaches(uintptr_t page, const uintptr_t *need, int nneed)
{
	for (int i = 0; i < nneed; i++) {
		long long d1 = (long long)(page - need[i]);
		long long d2 = (long long)(page + NEAR_PAGE - need[i]);
		if (d1 > REACH || d1 < -REACH || d2 > REACH || d2 < -REACH)
			return false;
	}
	return true;
}

/*
 * The free gaps between mappings, as /proc/self/maps last listed them. The
 * kernel formats the whole map for each read; read per hook, that was most
 * of a start-up with many hooks. Pages are carved from this list, and the
 * map is read again only when a gap proves taken (another thread or library
 * mapped it since: MAP_FIXED_NOREPLACE fails rather than clobbering) or
 * when no listed gap reaches. Under runtime_lock, like every caller.
 */
#define MAX_GAPS 1024
static struct near_gap { uintptr_t lo, hi; } gaps[MAX_GAPS];
static int ngaps;

static int near_gaps_read(void)
{
	char buf[65536];
	size_t len = 0;
	ssize_t r;
	uintptr_t prev_hi = 0x10000;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	ngaps = 0;
	if (fd < 0)
		return -1;
	/* Keep the latest complete lines that fit; parse as we go. */
	while ((r = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
		char *line = buf, *nl;

		len += (size_t)r;
		buf[len] = 0;
		while ((nl = strchr(line, '\n'))) {
			unsigned long lo, hi;
			*nl = 0;
			if (sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
				if (lo >= prev_hi + NEAR_PAGE && ngaps < MAX_GAPS)
					gaps[ngaps++] = (struct near_gap){ prev_hi, lo };
				if (hi > prev_hi)
					prev_hi = hi;
			}
			line = nl + 1;
		}
		len = strlen(line);
		memmove(buf, line, len);
	}
	close(fd);
	return 0;
}

/* The listed free page nearest to need[0] that reaches every need[]; 0 if none. */
static uintptr_t near_gaps_pick(const uintptr_t *need, int nneed, int *which)
{
	uintptr_t best = 0, tgt = need[0];
	unsigned long long bestd = ~0ULL;

	for (int i = 0; i < ngaps; i++) {
		const struct near_gap *g = &gaps[i];
		uintptr_t c;
		unsigned long long d;

		if (g->hi - g->lo < NEAR_PAGE)
			continue;
		c = tgt < g->lo ? g->lo
		  : tgt > g->hi - NEAR_PAGE ? g->hi - NEAR_PAGE
		  : tgt & ~(uintptr_t)(NEAR_PAGE - 1);
		d = c > tgt ? c - tgt : tgt - c;
		if (d < bestd && near_reaches(c, need, nneed)) {
			best = c;
			bestd = d;
			*which = i;
		}
	}
	return best;
}

/* Without /proc/self/maps (no /proc mounted), or when no listed gap
 * reaches (the list keeps MAX_GAPS): ask the kernel for a page at
 * addresses stepping away from need[0], 1 MiB apart, nearest first;
 * MAP_FIXED_NOREPLACE refuses each one that is taken. */
static uint8_t *near_probe(const uintptr_t *need, int nneed)
{
	const uintptr_t step = 1u << 20, tgt = need[0] & ~(uintptr_t)(NEAR_PAGE - 1);

	for (uintptr_t k = 1; k * step < (uintptr_t)REACH; k++)
		for (int up = 0; up < 2; up++) {
			uintptr_t at;
			void *p;

			if (!up && tgt < k * step + 0x10000)
				continue;
			at = up ? tgt + k * step : tgt - k * step;
			if (!near_reaches(at, need, nneed))
				continue;
			p = mmap((void *)at, NEAR_PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == (void *)at)
				return p;
			if (p != MAP_FAILED)	/* an old kernel took the address as a hint */
				munmap(p, NEAR_PAGE);
		}
	return NULL;
}

uint8_t *near_run(const uintptr_t *need, int nneed, int npages)
{
	size_t len = (size_t)npages * NEAR_PAGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (near_reaches((uintptr_t)p, need, nneed) &&
	    near_reaches((uintptr_t)p + len - NEAR_PAGE, need, nneed))
		return p;
	munmap(p, len);
	return NULL;
}

uint8_t *near_page(const uintptr_t *need, int nneed)
{
	/* The kernel's own choice first, while no list is kept: a page below
	 * the objects mapped last mostly reaches a library's functions, and
	 * then /proc/self/maps (formatted whole by the kernel, ~70 us) is not
	 * read. A program's own functions are mostly out of its reach. */
	if (!ngaps) {
		void *p = mmap(NULL, NEAR_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p != MAP_FAILED && near_reaches((uintptr_t)p, need, nneed))
			return p;
		if (p != MAP_FAILED)
			munmap(p, NEAR_PAGE);
	}
	for (int attempt = 0; attempt < 8; attempt++) {
		uintptr_t at;
		int which = 0;
		void *p;

		if ((attempt > 0 || !ngaps) && near_gaps_read() < 0)
			return near_probe(need, nneed);
		at = near_gaps_pick(need, nneed, &which);
		if (!at) {
			if (attempt > 0)	/* the list may be cut short (MAX_GAPS) */
				return near_probe(need, nneed);
			ngaps = 0;	/* the list may be old: read it again */
			continue;
		}
		p = mmap((void *)at, NEAR_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == (void *)at) {
			struct near_gap *g = &gaps[which];
			if (at == g->lo)
				g->lo += NEAR_PAGE;
			else if (at + NEAR_PAGE == g->hi)
				g->hi -= NEAR_PAGE;
			else
				g->hi = at;	/* keep the part below; the rest is read again if needed */
			return p;
		}
		if (p != MAP_FAILED)	/* an old kernel took the address as a hint */
			munmap(p, NEAR_PAGE);
	}
	return NULL;
}
