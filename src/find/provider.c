/*
 * provider: the name of what provides an import to this process
 * (provider.h). Calls elf, libdl (dlsym, dl_iterate_phdr), libb2, util.
 * Start-up and tools only; its two tables are under provider_lock.
 *
 * Why more than the build-id:
 *  - a library linked with --build-id=none has no build-id to change when it
 *    is rebuilt, and its path does not change either: its file's content
 *    stands in (any rebuild changes it, as it would a build-id);
 *  - one build of a library runs different code on different CPUs: an IFUNC
 *    (libm's sin, libc's memcpy) is resolved at load time to the variant the
 *    CPU supports (or GLIBC_TUNABLES allows), and variants differ in their
 *    last bits (exp with FMA or without). An import that is itself an IFUNC
 *    is named by the implementation dlsym resolves it to here. An ordinary
 *    export may call the library's own IFUNCs (libm's exp calls __exp, an
 *    IFUNC, through an IRELATIVE slot): those selections are read from the
 *    library's IRELATIVE slots, all of them, since which ones an export
 *    reaches through unnamed code of a stripped library cannot be known.
 *    Nodes that select the same variants still share results.
 */
#include "find/provider.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


#include "find/elf.h"
#include "base/util.h"
#include "base/b2.h"

#define DIGEST_BYTES PROVIDER_DIGEST_BYTES
#define CONTENTS_MAX 16		/* files without a build-id remembered */
#define SELECTIONS_MAX 32	/* objects whose IFUNC selections are remembered */

/* The content digests already computed, by file (a library without a
 * build-id provides many imports: its file is read once). Under provider_lock. */
static struct content {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint8_t digest[DIGEST_BYTES];
} contents[CONTENTS_MAX];
static unsigned ncontents;
static pthread_mutex_t provider_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_file(const struct content *c, const char *path, const struct stat *sb)
{
	return c->dev == sb->st_dev && c->ino == sb->st_ino && c->size == sb->st_size &&
	       c->mtime.tv_sec == sb->st_mtim.tv_sec && c->mtime.tv_nsec == sb->st_mtim.tv_nsec &&
	       c->path && !strcmp(c->path, path);
}

/* BLAKE2b of the whole file at `path`. 0, or -1 when it cannot be read. */
static int content_digest(const char *path, uint8_t out[DIGEST_BYTES])
{
	struct stat sb;
	int fd = util_open_regular(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0, &sb);
	int rc = -1;

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&provider_lock);
	for (unsigned i = 0; i < ncontents && i < CONTENTS_MAX; i++)
		if (same_file(&contents[i], path, &sb)) {
			memcpy(out, contents[i].digest, DIGEST_BYTES);
			rc = 0;
			goto done;
		}
	/* Mapped, not read into a buffer: the caller may be on a small stack. */
	void *p = sb.st_size ? mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	if (p == MAP_FAILED)
		goto done;
	b2(out, p, NULL, DIGEST_BYTES, (size_t)sb.st_size, 0);
	if (p)
		munmap(p, (size_t)sb.st_size);
	rc = 0;
	struct content *c = &contents[ncontents++ % CONTENTS_MAX];
	free(c->path);
	if (!(c->path = strdup(path)))
		goto done;
	c->dev = sb.st_dev;
	c->ino = sb.st_ino;
	c->size = sb.st_size;
	c->mtime = sb.st_mtim;
	memcpy(c->digest, out, DIGEST_BYTES);
done:
	pthread_mutex_unlock(&provider_lock);
	close(fd);
	return rc;
}

/* The loaded object holding an address, from its program headers (the
 * loader's list, without dladdr's search for the nearest symbol). */
struct loaded {
	uintptr_t addr;			/* in: the address */
	uintptr_t base;			/* l_addr: its vaddr 0 in memory */
	const char *name;		/* its path; "" for the main program */
	const ElfW(Phdr) *phdr;
	size_t phnum;
};

static int find_at(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct loaded *l = arg;

	(void)size;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && l->addr - info->dlpi_addr - ph->p_vaddr < ph->p_memsz) {
			l->base = info->dlpi_addr;
			l->name = info->dlpi_name ? info->dlpi_name : "";
			l->phdr = info->dlpi_phdr;
			l->phnum = info->dlpi_phnum;
			return 1;
		}
	}
	return 0;
}

static bool loaded_at(uintptr_t addr, struct loaded *l)
{
	*l = (struct loaded){ .addr = addr };
	return dl_iterate_phdr(find_at, l) == 1;
}

/* Whether [vaddr, vaddr+n) of the object is mapped readable. */
static bool mapped(const struct loaded *l, uint64_t vaddr, size_t n)
{
	for (size_t i = 0; i < l->phnum; i++) {
		const ElfW(Phdr) *ph = &l->phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) && vaddr >= ph->p_vaddr &&
		    vaddr + n <= ph->p_vaddr + ph->p_memsz)
			return true;
	}
	return false;
}

/* Where a selected implementation lies, never as an address (ASLR moves it):
 * its offset in the object; outside it (libc's time selects the vDSO's), the
 * other object's file name alone, since that object's offsets change with
 * builds this one does not see (the vDSO is the running kernel's). */
static uint64_t hash_place(blake2b_state *s, const struct loaded *l, uint64_t v)
{
	struct loaded other;

	if (mapped(l, v - l->base, 1))
		return v - l->base;
	if (!loaded_at(v, &other))
		return UINT64_MAX;	/* nowhere known: the same for every such process */
	const char *name = strrchr(other.name, '/');
	name = name ? name + 1 : other.name;
	b2_update(s, (const uint8_t *)name, strlen(name) + 1);
	return UINT64_MAX - 1;
}

/* The IFUNC selections of objects already named (every import from libc asks
 * for libc's): made once, at load time, they never change while the object
 * stays loaded. Under provider_lock. */
static struct selections {
	uintptr_t base;
	const char *name;
	const struct elf_image *img;
	int rc;
	uint8_t digest[DIGEST_BYTES];
} selections[SELECTIONS_MAX];
static unsigned nselections;

/* A digest of every IFUNC selection the loaded object made for its own calls
 * (its IRELATIVE slots, as offsets in the object). -1 when it has none. */
static int ifuncs_digest(const struct elf_image *img, const struct loaded *l,
			 uint8_t out[DIGEST_BYTES])
{
	const struct elf_reloc *r;
	size_t nr = elf_image_relocs(img, &r);
	blake2b_state s;
	bool any = false;

	b2_init(&s, DIGEST_BYTES);
	for (size_t i = 0; i < nr; i++) {
		uint64_t slot[2] = { r[i].offset, 0 }, v;
		if (r[i].type != R_X86_64_IRELATIVE)
			continue;
		any = true;
		/* The file on disk may not be the one loaded (replaced since):
		 * only a slot inside the object's mapping is read. */
		if (mapped(l, slot[0], sizeof v)) {
			memcpy(&v, (const void *)(l->base + slot[0]), sizeof v);
			slot[1] = hash_place(&s, l, v);
		}
		b2_update(&s, (const uint8_t *)slot, sizeof slot);
	}
	if (!any)
		return -1;
	b2_final(&s, out, DIGEST_BYTES);
	return 0;
}

static int ifuncs_digest_once(const struct elf_image *img, const struct loaded *l,
			      uint8_t out[DIGEST_BYTES])
{
	struct selections *c;
	int rc;

	pthread_mutex_lock(&provider_lock);
	for (unsigned i = 0; i < nselections && i < SELECTIONS_MAX; i++) {
		c = &selections[i];
		if (c->base == l->base && c->name == l->name && c->img == img) {
			memcpy(out, c->digest, DIGEST_BYTES);
			rc = c->rc;
			goto done;
		}
	}
	rc = ifuncs_digest(img, l, out);
	c = &selections[nselections++ % SELECTIONS_MAX];
	*c = (struct selections){ .base = l->base, .name = l->name, .img = img, .rc = rc };
	memcpy(c->digest, out, DIGEST_BYTES);
done:
	pthread_mutex_unlock(&provider_lock);
	return rc;
}

void provider_id(const char *name, const char *version, char *out, size_t n)
{
	void *p = version && *version ? dlvsym(RTLD_DEFAULT, name, version)
				       : dlsym(RTLD_DEFAULT, name);
	struct loaded l;
	struct elf_sym sym;
	uint8_t d[DIGEST_BYTES];
	char hex[2 * DIGEST_BYTES + 1];
	size_t len, used;

	snprintf(out, n, "?");
	if (!p || !loaded_at((uintptr_t)p, &l))
		return;
	const char *path = *l.name ? l.name : "/proc/self/exe";
	struct elf_image *img = elf_image_open(path, NULL, 0);
	const uint8_t *id = img ? elf_image_build_id(img, &len) : NULL;
	if (id && len) {
		util_hex(out, id, len < (n - 1) / 2 ? len : (n - 1) / 2);
	} else if (!content_digest(path, d)) {
		util_hex(hex, d, sizeof d);
		snprintf(out, n, "content-%s", hex);
	} else {
		/* Unreadable: the path is the best stable name left. */
		snprintf(out, n, "%s", path);
		return;
	}
	if (!img)
		return;
	used = strlen(out);
	/* dlsym resolves an IFUNC to the implementation selected here. */
	if (elf_image_symbol(img, name, version, &sym) || sym.type == STT_GNU_IFUNC ||
	    l.base + sym.value != (uintptr_t)p)
		used += (size_t)snprintf(out + used, n - used, "+selected-0x%llx",
					 (unsigned long long)((uintptr_t)p - l.base));
	if (used < n && !ifuncs_digest_once(img, &l, d)) {
		util_hex(hex, d, sizeof d);
		snprintf(out + used, n - used, "+ifuncs-%s", hex);
	}
}

int provider_own_selections(const void *addr, uint8_t out[PROVIDER_DIGEST_BYTES])
{
	struct loaded l;

	if (!loaded_at((uintptr_t)addr, &l))
		return -1;
	struct elf_image *img = elf_image_open(*l.name ? l.name : "/proc/self/exe", NULL, 0);
	return img ? ifuncs_digest_once(img, &l, out) : -1;
}
