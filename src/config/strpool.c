/*
 * strpool: a config's strings in mapped chunks (strpool.h). A chunk is a
 * page or, for a longer string, that string's pages; a string goes into
 * the newest chunk when it fits, else into a new one.
 */
#include "config/strpool.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK_BYTES 4096

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t size, used;	/* bytes mapped; bytes of them used, this header's too */
	char text[];
};

char *strpool_add(struct strpool *sp, const char *s, size_t n)
{
	struct strpool_chunk *c = sp->head;
	char *dst;

	if (n > SIZE_MAX / 2)
		return NULL;
	if (!c || c->size - c->used < n + 1) {
		size_t size = sizeof *c + n + 1;
		void *m;

		size = size < CHUNK_BYTES ? CHUNK_BYTES : (size + CHUNK_BYTES - 1) / CHUNK_BYTES * CHUNK_BYTES;
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		c = m;
		c->size = size;
		c->used = sizeof *c;
		c->next = sp->head;
		sp->head = c;
	}
	dst = (char *)c + c->used;
	memcpy(dst, s, n);
	dst[n] = '\0';
	c->used += n + 1;
	return dst;
}

void strpool_release(struct strpool *sp)
{
	struct strpool_chunk *c;

	while ((c = sp->head)) {
		sp->head = c->next;
		munmap(c, c->size);
	}
}
