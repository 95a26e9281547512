/*
 * identity: the code identity of a hooked function (DESIGN.md "Code identity").
 * Calls elf (the file's bytes and symbols) and libb2. Start-up only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "elf.h"
#include "hook.h"

static int fail(struct hook *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct hook *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->why, sizeof h->why, fmt, ap);
	va_end(ap);
	return -1;
}

int identity_compute(struct hook *h)
{
	struct elf_image *img;
	struct elf_sym sym;
	uint64_t vaddr = (uint64_t)(uintptr_t)h->target - h->base;
	size_t avail;
	const uint8_t *code;

	img = elf_image_open(h->path, h->why, sizeof h->why);
	if (!img)
		return -1;
	if (elf_image_symbol_at(img, vaddr, &sym))
		return fail(h, "no symbol at 0x%llx in '%s'", (unsigned long long)vaddr, h->path);
	code = elf_image_bytes(img, sym.value, &avail);
	if (!code || avail < sym.size)
		return fail(h, "no code bytes for '%s' in '%s'", sym.name, h->path);
	return blake2b(h->identity, code, NULL, sizeof h->identity, sym.size, 0) ? -1 : 0;
}
