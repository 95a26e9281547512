/*
 * elf_peek: cheap looks at ELF objects without libelf: at a file's section
 * headers, for the preload (which decides whether to load the engine) and
 * for symbols.c (which asks it of every object it walks); and at a loaded
 * object's dynamic section in memory, for the preload, got.c and inline.c.
 * Calls open/pread/close only. Any thread, no allocation, no lock.
 */
#ifndef MEMO_ELF_PEEK_H
#define MEMO_ELF_PEEK_H

#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Does the ELF file at `path` still have a .symtab? Reads its section
 * headers only, a few at a time (an object can have hundreds): 1 or 0.
 * With `mapped` (an ELF header in memory), -1 unless the file starts with
 * that header. */
int elf_peek_symtab(const char *path, const Elf64_Ehdr *mapped);

/* elf_peek_symtab for the file the loader opened for a loaded object
 * (its path as the link map names it), with its ELF header as mapped
 * (NULL: read from the file): the section headers alone are read, a
 * system call less. 1 or 0. */
int elf_peek_symtab_loaded(const char *path, const Elf64_Ehdr *mapped);

/* A loaded object's ELF header as mapped (the start of its load segment at
 * offset 0), from its program headers and load bias; NULL if none. */
const Elf64_Ehdr *elf_peek_mapped_ehdr(const ElfW(Phdr) *phdr, int phnum, uintptr_t bias);

/* What a loaded object's dynamic section says, as addresses in memory. */
struct elf_peek_dyn {
	uintptr_t bias;				/* the object's load bias */
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t strsz;
	const ElfW(Rela) *jmprel, *rela;	/* DT_JMPREL (PLT slots), DT_RELA */
	size_t njmprel, nrela;
	const ElfW(Half) *versym;
	const ElfW(Verneed) *verneed;
	const ElfW(Verdef) *verdef;
	const uint32_t *hash, *gnu_hash;
	const char *soname;			/* DT_SONAME, or NULL */
};

/* Read the dynamic section `dyn` (PT_DYNAMIC; NULL for none) of an object
 * loaded at `bias`. True when it has a symbol and a string table and its
 * relocations are Rela (x86-64's); else false, and *d is all zero. */
bool elf_peek_dynamic(const ElfW(Dyn) *dyn, uintptr_t bias, struct elf_peek_dyn *d);

/* The symbol `name` as dlsym(RTLD_DEFAULT) would find it in this object (a
 * defined global or weak symbol, not a hidden version), looked up in its
 * GNU hash table; NULL when it defines none, or has no GNU hash table. A
 * dlsym that fails costs ~7 us (its error is formatted); dladdr1 walks the
 * whole symbol table. */
const ElfW(Sym) *elf_peek_lookup(const struct elf_peek_dyn *d, const char *name);

/* Does the GNU hash table hold any symbol named `name`, defined or not (a
 * non-PIE program hashes the PLT stubs whose address it takes)? When it
 * has no such table: false. */
bool elf_peek_hashes(const struct elf_peek_dyn *d, const char *name);

#endif
