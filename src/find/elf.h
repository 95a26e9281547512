/*
 * elf: a read-only view of one ELF file on disk, over libelf: its symbols
 * (.symtab then .dynsym, with versions), sections, GOT-slot relocations, TLS
 * segment, build-id, and the bytes at any of its virtual addresses.
 * Start-up and tools only (opens, allocates): each file is opened once and
 * cached for the life of the process; open and lookups are thread-safe (one
 * mutex around the cache; an image never changes after it is built). Not for
 * the hot path. Addresses are the file's own (unrelocated) virtual addresses.
 */
#ifndef MEMO_ELF_H
#define MEMO_ELF_H

#include <elf.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct elf_image;

struct elf_sym {
	const char *name;
	const char *version;	/* "" when unversioned */
	uint64_t value;		/* st_value: vaddr (TLS: offset in the TLS segment) */
	uint64_t size;
	unsigned char type;	/* STT_FUNC, STT_GNU_IFUNC, STT_OBJECT, STT_TLS ... */
	unsigned char bind;	/* STB_LOCAL, STB_GLOBAL, STB_WEAK */
	uint16_t shndx;
	bool dynamic;		/* from .dynsym (else .symtab) */
	bool hidden_version;	/* a non-default version (name@VER, not @@) */
};

struct elf_section {
	const char *name;
	uint64_t addr, size, offset;
	uint32_t type;		/* SHT_PROGBITS, SHT_NOBITS ... */
	uint64_t flags;		/* SHF_ALLOC, SHF_WRITE, SHF_EXECINSTR, SHF_TLS */
};

/* What a GOT slot (or any relocated word) is for, from .rela.dyn/.rela.plt. */
struct elf_reloc {
	uint64_t offset;	/* r_offset: the slot's vaddr */
	uint32_t type;		/* R_X86_64_JUMP_SLOT, GLOB_DAT, TPOFF64, RELATIVE ... */
	int64_t addend;
	const struct elf_sym *sym;	/* NULL for RELATIVE/IRELATIVE */
};

/* Open `path` (cached: the same image while the path names the same,
 * unchanged file; a new file there, or one rewritten, gets a new image, and
 * the old one stays valid). NULL on error, with the reason in why[whylen]. */
struct elf_image *elf_image_open(const char *path, char *why, size_t whylen);

/* ET_EXEC (absolute addresses in code) or ET_DYN (PIE, shared object). */
int elf_image_type(const struct elf_image *img);
/* Whether the file still has its .symtab (it is not stripped). */
bool elf_image_has_symtab(const struct elf_image *img);

/* The defined symbol `name`, from .symtab first, then .dynsym. `version`
 * NULL or "" means the default one (or unversioned). 0, or -1 if absent. */
int elf_image_symbol(const struct elf_image *img, const char *name,
		     const char *version, struct elf_sym *out);

/* Call fn for each defined symbol named `name` (every defined symbol when
 * `name` is NULL), .symtab's before .dynsym's for one name, names in strcmp
 * order; stops at the first nonzero return and returns it, else 0. */
int elf_image_each_symbol(const struct elf_image *img, const char *name,
			  int (*fn)(const struct elf_sym *s, void *arg), void *arg);

/* The extent entry patching checks of the function at `vaddr`: the size of
 * the symbol that starts there (*size 0: none with a size), and its
 * NAME.cold part (GCC's -freorder-blocks-and-partition moves unlikely blocks
 * there; they may branch back anywhere): *cold, *cold_size (0: none). */
void elf_image_extent(const struct elf_image *img, uint64_t vaddr, uint64_t *size, uint64_t *cold,
		      uint64_t *cold_size);

/* The defined function or object symbol whose [value, value+size) holds
 * `vaddr` (a function first, then a global name, then .symtab's); with
 * size 0, one that starts exactly there. 0, or -1 if none. */
int elf_image_symbol_at(const struct elf_image *img, uint64_t vaddr,
			struct elf_sym *out);

/* The lowest symbol value above `vaddr` (any named symbol of an allocated
 * section), or UINT64_MAX. Bounds unlabelled data for the identity. */
uint64_t elf_image_next_symbol(const struct elf_image *img, uint64_t vaddr);

/* The allocated section holding `vaddr`, or NULL. */
const struct elf_section *elf_image_section_at(const struct elf_image *img,
					       uint64_t vaddr);

/* A pointer to the file's bytes at `vaddr` (valid for the process's life),
 * with *avail set to how many follow before the section ends. NULL when no
 * file bytes are there (.bss, or outside every section). */
const uint8_t *elf_image_bytes(const struct elf_image *img, uint64_t vaddr,
			       size_t *avail);

/* Copy [vaddr, vaddr+n) from the file. 0, or -1 when not all of it has file
 * bytes in one section. */
int elf_image_read(const struct elf_image *img, uint64_t vaddr, void *buf,
		   size_t n);

/* The dynamic relocation whose r_offset is `slot`, or NULL. */
const struct elf_reloc *elf_image_reloc_at(const struct elf_image *img,
					   uint64_t slot);

/* Every dynamic relocation, sorted by r_offset, into *out; returns how many. */
size_t elf_image_relocs(const struct elf_image *img, const struct elf_reloc **out);

/* The file the image was built from, as fstat saw it when opened. */
const struct stat *elf_image_stat(const struct elf_image *img);

/* The NT_GNU_BUILD_ID note's bytes; NULL (and *len 0) when the file has none. */
const uint8_t *elf_image_build_id(const struct elf_image *img, size_t *len);

/* PT_TLS: memsz rounded up to its alignment (the thread pointer minus this is
 * the executable's TLS block start); 0 when there is no TLS segment. */
uint64_t elf_image_tls_size(const struct elf_image *img);

/* The TLS symbol (from .symtab, else .dynsym) at `offset` in the TLS segment.
 * 0, or -1 if none. */
int elf_image_tls_symbol_at(const struct elf_image *img, uint64_t offset,
			    struct elf_sym *out);

/* A global variable by name (`globals = ...`): its vaddr (TLS: offset in the
 * TLS segment) and size, from .symtab then .dynsym. 0, or -1 when there is no
 * data object of that name. */
int elf_image_global(const struct elf_image *img, const char *name,
		     uint64_t *vaddr, uint64_t *size, bool *tls);

#endif
