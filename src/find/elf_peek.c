/*
 * elf_peek: what an ELF file's headers say, read with pread alone, and what
 * a loaded object's dynamic section says, read where it is mapped: no
 * libelf, which the preload does not link and which would map the whole
 * file. See elf_peek.h. Any thread; no allocation.
 */
#include "find/elf_peek.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

const Elf64_Ehdr *elf_peek_mapped_ehdr(const ElfW(Phdr) *phdr, int phnum, uintptr_t bias)
{
	for (int i = 0; i < phnum; i++)
		if (phdr[i].p_type == PT_LOAD && phdr[i].p_offset == 0)
			return (const Elf64_Ehdr *)(bias + phdr[i].p_vaddr);
	return NULL;
}

/* Whether the section headers eh names, in the file open at fd, include a
 * .symtab: read 64 at a time (libc's 64 in one read). */
static int has_symtab(int fd, const Elf64_Ehdr *eh)
{
	Elf64_Shdr sh[64];
	int found = 0, i, n, at;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr))
		return 0;
	for (at = 0; at < eh->e_shnum && !found; at += n) {
		n = eh->e_shnum - at < 64 ? eh->e_shnum - at : 64;
		if (pread(fd, sh, n * sizeof sh[0], eh->e_shoff + at * sizeof sh[0]) !=
		    (ssize_t)(n * sizeof sh[0]))
			break;
		for (i = 0; i < n && !found; i++)
			found = sh[i].sh_type == SHT_SYMTAB;
	}
	return found;
}

int elf_peek_symtab(const char *path, const Elf64_Ehdr *mapped)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC), found;

	if (fd < 0)
		return mapped ? -1 : 0;
	if (pread(fd, &eh, sizeof eh, 0) != sizeof eh || (mapped && memcmp(&eh, mapped, sizeof eh)))
		found = mapped ? -1 : 0;
	else
		found = has_symtab(fd, &eh);
	close(fd);
	return found;
}

int elf_peek_symtab_loaded(const char *path, const Elf64_Ehdr *mapped)
{
	int fd, found;

	if (!mapped)
		return elf_peek_symtab(path, NULL);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	found = has_symtab(fd, mapped);
	close(fd);
	return found;
}

/*
 * glibc rewrites some d_ptr entries of a loaded object in place to absolute
 * addresses (symtab, strtab, rela, jmprel, versym, hashes) and leaves others
 * (verneed, verdef) as link-time addresses. An unrelocated address of an
 * object loaded at a bias is below that bias, so this reads both.
 */
static uintptr_t dyn_ptr(uintptr_t bias, uintptr_t p)
{
	return p >= bias ? p : p + bias;
}

bool elf_peek_dynamic(const ElfW(Dyn) *dyn, uintptr_t bias, struct elf_peek_dyn *d)
{
	size_t pltrelsz = 0, relasz = 0, soname = SIZE_MAX;

	memset(d, 0, sizeof *d);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = dyn_ptr(bias, dyn->d_un.d_ptr);
		switch (dyn->d_tag) {
		case DT_SYMTAB: d->symtab = (const void *)p; break;
		case DT_STRTAB: d->strtab = (const void *)p; break;
		case DT_STRSZ: d->strsz = dyn->d_un.d_val; break;
		case DT_JMPREL: d->jmprel = (const void *)p; break;
		case DT_PLTRELSZ: pltrelsz = dyn->d_un.d_val; break;
		case DT_RELA: d->rela = (const void *)p; break;
		case DT_RELASZ: relasz = dyn->d_un.d_val; break;
		case DT_VERSYM: d->versym = (const void *)p; break;
		case DT_VERNEED: d->verneed = (const void *)p; break;
		case DT_VERDEF: d->verdef = (const void *)p; break;
		case DT_HASH: d->hash = (const void *)p; break;
		case DT_GNU_HASH: d->gnu_hash = (const void *)p; break;
		case DT_SONAME: soname = dyn->d_un.d_val; break;
		case DT_PLTREL:
			if (dyn->d_un.d_val != DT_RELA)
				goto none;	/* not x86-64's REL-less layout */
			break;
		}
	}
	if (!d->symtab || !d->strtab)
		goto none;
	d->bias = bias;
	if (soname != SIZE_MAX && (!d->strsz || soname < d->strsz))
		d->soname = d->strtab + soname;
	d->njmprel = d->jmprel ? pltrelsz / sizeof(ElfW(Rela)) : 0;
	d->nrela = d->rela ? relasz / sizeof(ElfW(Rela)) : 0;
	return true;
none:
	memset(d, 0, sizeof *d);
	return false;
}

/* The first symbol named `name` in the GNU hash table that dlsym would take
 * (defined_only), or whatever its definition. */
static const ElfW(Sym) *hash_find(const struct elf_peek_dyn *d, const char *name, bool defined_only)
{
	const uint32_t *ht = d->gnu_hash, *buckets, *chain;
	const ElfW(Addr) *bloom;
	const unsigned bits = 8 * sizeof(ElfW(Addr));
	uint32_t h = 5381, i;
	const unsigned char *s;
	ElfW(Addr) mask;

	if (!ht)
		return NULL;
	bloom = (const ElfW(Addr) *)(ht + 4);
	for (s = (const unsigned char *)name; *s; s++)
		h = h * 33 + *s;
	mask = (ElfW(Addr))1 << (h % bits) | (ElfW(Addr))1 << ((h >> ht[3]) % bits);
	if ((bloom[(h / bits) % ht[2]] & mask) != mask)
		return NULL;
	buckets = (const uint32_t *)(bloom + ht[2]);
	chain = buckets + ht[0];	/* chain[k]: the hash of symbol ht[1] + k */
	i = buckets[h % ht[0]];
	if (i < ht[1])	/* an empty bucket */
		return NULL;
	for (;; i++) {
		const ElfW(Sym) *sym = &d->symtab[i];
		int bind = ELF64_ST_BIND(sym->st_info);

		if ((chain[i - ht[1]] | 1) == (h | 1) && !strcmp(d->strtab + sym->st_name, name) &&
		    (!defined_only ||
		     (sym->st_shndx != SHN_UNDEF &&
		      (sym->st_value || ELF64_ST_TYPE(sym->st_info) == STT_TLS) &&
		      (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) &&
		      !(d->versym && (d->versym[i] & 0x8000)))))
			return sym;
		if (chain[i - ht[1]] & 1)
			return NULL;
	}
}

const ElfW(Sym) *elf_peek_lookup(const struct elf_peek_dyn *d, const char *name)
{
	return hash_find(d, name, true);
}

bool elf_peek_hashes(const struct elf_peek_dyn *d, const char *name)
{
	return hash_find(d, name, false) != NULL;
}
