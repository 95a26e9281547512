/*
 * elf_peek: what an ELF file's headers say, read with pread alone: no
 * libelf, which the preload does not link and which would map the whole
 * file. See elf_peek.h. Any thread; no allocation.
 */
#include "find/elf_peek.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int elf_peek_symtab(const char *path, const Elf64_Ehdr *mapped)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0, i, n, at;

	if (fd < 0)
		return mapped ? -1 : 0;
	if (pread(fd, &eh, sizeof eh, 0) != sizeof eh || (mapped && memcmp(&eh, mapped, sizeof eh))) {
		found = mapped ? -1 : 0;
	} else if (!memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
		   eh.e_shentsize == sizeof(Elf64_Shdr)) {
		for (at = 0; at < eh.e_shnum && !found; at += n) {
			n = eh.e_shnum - at < 32 ? eh.e_shnum - at : 32;
			if (pread(fd, sh, n * sizeof sh[0], eh.e_shoff + at * sizeof sh[0]) !=
			    (ssize_t)(n * sizeof sh[0]))
				break;
			for (i = 0; i < n && !found; i++)
				found = sh[i].sh_type == SHT_SYMTAB;
		}
	}
	close(fd);
	return found;
}
