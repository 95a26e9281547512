/*
 * strpool: a config's strings in mapped chunks (strpool.h). A chunk is 64
 * KiB or, for a longer string, that string's pages; a string goes into
 * the newest chunk when it fits, else into a new one.
 */
#include "config/strpool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* Mapped pages cost nothing until written: a chunk has room for several
 * prototypes' reserved arguments (proto.c), so that most configs map one. */
#define CHUNK_BYTES 65536

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t size, used;	/* bytes mapped; bytes of them used, this header's too */
	bool given;		/* the caller's room: not ours to unmap */
	char text[];
};

void strpool_give_room(struct strpool *sp, void *room, size_t size)
{
	struct strpool_chunk *c = room;

	if (sp->head || size < sizeof *c)
		return;
	c->next = NULL;
	c->size = size;
	c->used = sizeof *c;
	c->given = true;
	sp->head = c;
}

void *strpool_alloc(struct strpool *sp, size_t n)
{
	struct strpool_chunk *c = sp->head;
	const size_t align = _Alignof(max_align_t);
	size_t at = c ? (c->used + align - 1) / align * align : 0;

	if (n > SIZE_MAX / 2)
		return NULL;
	if (!c || at > c->size || c->size - at < n) {
		size_t size = (sizeof *c + align - 1) / align * align + n;
		void *m;

		size = size < CHUNK_BYTES ? CHUNK_BYTES : (size + CHUNK_BYTES - 1) / CHUNK_BYTES * CHUNK_BYTES;
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		c = m;
		c->size = size;
		c->given = false;
		c->next = sp->head;
		sp->head = c;
		at = (sizeof *c + align - 1) / align * align;
	}
	c->used = at + n;
	return (char *)c + at;
}

void strpool_shrink(struct strpool *sp, void *p, size_t had, size_t n)
{
	struct strpool_chunk *c = sp->head;

	/* only the newest block: anything taken after it keeps its bytes */
	if (c && (char *)p + had == (char *)c + c->used && n <= had)
		c->used -= had - n;
}

char *strpool_add(struct strpool *sp, const char *s, size_t n)
{
	char *dst;

	if (n > SIZE_MAX / 2)
		return NULL;
	/* a string needs no alignment: where the newest chunk's room starts */
	if (sp->head && sp->head->size - sp->head->used >= n + 1) {
		dst = (char *)sp->head + sp->head->used;
		sp->head->used += n + 1;
	} else if (!(dst = strpool_alloc(sp, n + 1))) {
		return NULL;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return dst;
}

void strpool_release(struct strpool *sp)
{
	struct strpool_chunk *c;

	while ((c = sp->head)) {
		sp->head = c->next;
		if (!c->given)
			munmap(c, c->size);
	}
}
