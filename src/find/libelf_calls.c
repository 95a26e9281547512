/*
 * libelf_calls: the engine's calls into libelf, loaded at the first one
 * (src/base/lazylib.h): src/find/elf.c is libelf's only caller in the
 * engine, and a start-up that finds every function in the symbol cache
 * (src/find/symcache.c) calls none, so it maps neither libelf nor libz.
 * Without libelf, elf_version says EV_NONE and elf_errmsg why: elf.c then
 * builds no image, and what needed one (a symbol not cached, a code
 * identity) is refused as when a file cannot be read.
 * Calls lazylib. Start-up and a hook's first call only, as elf.c.
 */
#include <gelf.h>
#include <libelf.h>

#include "base/lazylib.h"

/* Each function: X(return type, name, parameters, arguments, on failure). */
#define LIBELF_CALLS(X)									\
	X(Elf *, elf_begin, (int fd, Elf_Cmd cmd, Elf *ref), (fd, cmd, ref), NULL)		\
	X(int, elf_cntl, (Elf *elf, Elf_Cmd cmd), (elf, cmd), -1)				\
	X(int, elf_end, (Elf *elf), (elf), 0)							\
	X(const char *, elf_errmsg, (int error), (error), "libelf cannot be loaded")		\
	X(Elf_Data *, elf_getdata, (Elf_Scn *scn, Elf_Data *data), (scn, data), NULL)		\
	X(int, elf_getphdrnum, (Elf *elf, size_t *dst), (elf, dst), -1)			\
	X(Elf_Scn *, elf_getscn, (Elf *elf, size_t index), (elf, index), NULL)			\
	X(int, elf_getshdrnum, (Elf *elf, size_t *dst), (elf, dst), -1)			\
	X(int, elf_getshdrstrndx, (Elf *elf, size_t *dst), (elf, dst), -1)			\
	X(Elf_Kind, elf_kind, (Elf *elf), (elf), ELF_K_NONE)					\
	X(size_t, elf_ndxscn, (Elf_Scn *scn), (scn), SHN_UNDEF)				\
	X(Elf_Scn *, elf_nextscn, (Elf *elf, Elf_Scn *scn), (elf, scn), NULL)			\
	X(char *, elf_rawfile, (Elf *elf, size_t *n), (elf, n), NULL)				\
	X(char *, elf_strptr, (Elf *elf, size_t index, size_t offset), (elf, index, offset), NULL) \
	X(unsigned int, elf_version, (unsigned int version), (version), EV_NONE)		\
	X(int, gelf_getclass, (Elf *elf), (elf), ELFCLASSNONE)					\
	X(GElf_Ehdr *, gelf_getehdr, (Elf *elf, GElf_Ehdr *dst), (elf, dst), NULL)		\
	X(GElf_Phdr *, gelf_getphdr, (Elf *elf, int i, GElf_Phdr *dst), (elf, i, dst), NULL)	\
	X(GElf_Rela *, gelf_getrela, (Elf_Data *d, int i, GElf_Rela *dst), (d, i, dst), NULL)	\
	X(GElf_Shdr *, gelf_getshdr, (Elf_Scn *scn, GElf_Shdr *dst), (scn, dst), NULL)		\
	X(GElf_Verdaux *, gelf_getverdaux, (Elf_Data *d, int off, GElf_Verdaux *dst), (d, off, dst), NULL) \
	X(GElf_Verdef *, gelf_getverdef, (Elf_Data *d, int off, GElf_Verdef *dst), (d, off, dst), NULL) \
	X(GElf_Vernaux *, gelf_getvernaux, (Elf_Data *d, int off, GElf_Vernaux *dst), (d, off, dst), NULL) \
	X(GElf_Verneed *, gelf_getverneed, (Elf_Data *d, int off, GElf_Verneed *dst), (d, off, dst), NULL)

#define STUB(ret, name, params, args, fail) LAZYLIB_STUB(libelf, I_##name, ret, name, params, args, fail)

enum { LIBELF_CALLS(LAZYLIB_INDEX) NCALLS };
static const char *const names[NCALLS] = { LIBELF_CALLS(LAZYLIB_NAME) };
static void *fns[NCALLS];
static struct lazylib libelf = {
	"libelf.so.1", "ELF files are not read, and a function whose symbol or code identity "
	"no earlier process cached is not memoized", names, fns, NCALLS, 0,
};

LIBELF_CALLS(STUB)
