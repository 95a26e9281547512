/*
 * elf_peek: cheap looks at an ELF file's headers, for the preload (which
 * decides whether to load the engine) and for symbols.c (which asks it of
 * every object it walks). Calls open/pread/close only.
 */
#ifndef MEMO_ELF_PEEK_H
#define MEMO_ELF_PEEK_H

#include <elf.h>

/* Does the ELF file at `path` still have a .symtab? Reads its section
 * headers only, a few at a time (an object can have hundreds): 1 or 0.
 * With `mapped` (an ELF header in memory), -1 unless the file starts with
 * that header. */
int elf_peek_symtab(const char *path, const Elf64_Ehdr *mapped);

#endif
