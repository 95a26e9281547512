/*
 * elf: builds, once per path, an image of an ELF file (symbols by name and by
 * address, sections, dynamic relocations, build-id, TLS size) over libelf.
 * Calls libelf and log. Start-up and tools only; thread-safe (elf_lock guards
 * the cache; an image's symbols are immutable once published, and its indexes
 * are built once each, under its own lock, when first needed); not for the
 * hot path.
 *
 * Why the indexes wait: a start-up asks an image a few questions (one
 * configured function's name, size and .cold part), and sorting the symbols
 * of a program with 30 000 of them by name and by address took 12 ms, paid by
 * every process it started. Names are hashed instead (one pass); questions
 * by address are answered by a scan until they are many enough (computing an
 * identity asks thousands) that sorting pays; relocations are sorted when
 * first asked for.
 */
#include "find/elf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct elf_image {
	struct elf_image *next;		/* the cache list */
	char *path;
	struct stat st;			/* the file as opened: which file the path named */
	Elf *elf;			/* kept: its mmap (or copy) backs `raw` */
	int fd;				/* open only while elf_image_open reads it */
	const uint8_t *raw;
	size_t rawsize;
	int type;
	bool has_symtab;

	struct elf_section *secs;
	size_t nsecs;

	struct elf_sym *syms;		/* .symtab's, then .dynsym's */
	size_t nsyms;
	struct elf_sym *dynsyms;	/* .dynsym by index (into syms) */
	size_t ndynsyms;

	/* Indexes, each built once under `lock` and published with a release
	 * store: a pointer read with acquire is complete. */
	pthread_mutex_t lock;
	uint32_t *bucket;		/* by name: defined symbols hashed, index + 1 */
	uint32_t *chain;		/* the next in a bucket, in `syms` order; 0 ends */
	size_t mask;			/* buckets - 1 */
	const struct elf_sym **by_name;	/* defined symbols sorted by name (whole walks) */
	size_t nby_name;
	const struct elf_sym **by_addr;	/* defined, addressable, sorted by value */
	size_t nby_addr;
	unsigned addr_scans;		/* questions by address answered by a scan */

	struct elf_reloc *relocs;	/* sorted by offset once relocs_sorted */
	size_t nrelocs;
	bool relocs_sorted;

	const uint8_t *build_id;
	size_t build_id_len;
	uint64_t tls_size;
};

/* The cache: written under elf_lock only; an image is complete before it is
 * linked in and is never freed. */
static pthread_mutex_t elf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct elf_image *elf_images;

static void why_set(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void why_set(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (!why || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static int cmp_name(const void *a, const void *b)
{
	const struct elf_sym *x = *(const struct elf_sym *const *)a;
	const struct elf_sym *y = *(const struct elf_sym *const *)b;
	int c = strcmp(x->name, y->name);

	/* Equal names keep .symtab's first (they come first in `syms`). */
	return c ? c : (x < y ? -1 : x > y);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct elf_sym *x = *(const struct elf_sym *const *)a;
	const struct elf_sym *y = *(const struct elf_sym *const *)b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct elf_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Version names of .dynsym entries, indexed by versym value (verdef and
 * verneed share one index space). */
struct vernames {
	const char **name;
	size_t n;
};

static void vernames_add(struct vernames *v, size_t idx, const char *name)
{
	if (idx >= v->n) {
		size_t n = idx + 16;
		const char **p = realloc(v->name, n * sizeof *p);
		if (!p)
			return;
		memset(p + v->n, 0, (n - v->n) * sizeof *p);
		v->name = p;
		v->n = n;
	}
	v->name[idx] = name;
}

static void read_versions(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct vernames *v)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0;

	if (!d)
		return;
	if (sh->sh_type == SHT_GNU_verdef) {
		GElf_Verdef def;
		GElf_Verdaux aux;
		for (size_t i = 0; i < sh->sh_info; i++) {
			if (!gelf_getverdef(d, off, &def))
				break;
			if (gelf_getverdaux(d, off + def.vd_aux, &aux))
				vernames_add(v, def.vd_ndx,
					     elf_strptr(elf, sh->sh_link, aux.vda_name));
			if (!def.vd_next)
				break;
			off += def.vd_next;
		}
	} else {
		GElf_Verneed need;
		GElf_Vernaux aux;
		for (size_t i = 0; i < sh->sh_info; i++) {
			if (!gelf_getverneed(d, off, &need))
				break;
			size_t aoff = off + need.vn_aux;
			for (size_t j = 0; j < need.vn_cnt; j++) {
				if (!gelf_getvernaux(d, aoff, &aux))
					break;
				vernames_add(v, aux.vna_other,
					     elf_strptr(elf, sh->sh_link, aux.vna_name));
				if (!aux.vna_next)
					break;
				aoff += aux.vna_next;
			}
			if (!need.vn_next)
				break;
			off += need.vn_next;
		}
	}
}

/* Append every symbol of one table to img->syms. The table, its strings and
 * its versions are read as the arrays libelf maps (the image is a 64-bit
 * file of this machine's byte order): a libelf call per symbol was most of
 * reading a program with tens of thousands of them. */
static int read_symtab(struct elf_image *img, Elf_Scn *scn, GElf_Shdr *sh,
		       bool dynamic, Elf_Data *versym, struct vernames *v)
{
	Elf_Data *d = elf_getdata(scn, NULL), *names = elf_getdata(elf_getscn(img->elf, sh->sh_link), NULL);
	size_t n = d && d->d_type == ELF_T_SYM ? d->d_size / sizeof(Elf64_Sym) : 0;
	size_t nvers = versym && versym->d_type == ELF_T_HALF ? versym->d_size / sizeof(Elf64_Half) : 0;
	const Elf64_Sym *tab = d ? d->d_buf : NULL;
	const char *str = names ? names->d_buf : NULL;
	size_t strsz = str && names->d_size && !str[names->d_size - 1] ? names->d_size : 0;

	if (!n)
		return 0;
	struct elf_sym *p = realloc(img->syms, (img->nsyms + n) * sizeof *p);
	if (!p)
		return -1;
	img->syms = p;
	for (size_t i = 0; i < n; i++) {
		const Elf64_Sym *s = &tab[i];
		struct elf_sym *o = &img->syms[img->nsyms + i];

		memset(o, 0, sizeof *o);
		o->version = "";
		o->name = s->st_name < strsz ? str + s->st_name : "";
		o->value = s->st_value;
		o->size = s->st_size;
		o->type = ELF64_ST_TYPE(s->st_info);
		o->bind = ELF64_ST_BIND(s->st_info);
		o->shndx = s->st_shndx;
		o->dynamic = dynamic;
		if (dynamic && i < nvers) {
			Elf64_Half vs = ((const Elf64_Half *)versym->d_buf)[i];
			size_t idx = vs & 0x7fff;
			o->hidden_version = (vs & 0x8000) != 0;
			if (idx > 1 && idx < v->n && v->name[idx])
				o->version = v->name[idx];
		}
	}
	if (dynamic) {
		/* Index by position: keep the offset, fixed up once syms stops moving. */
		img->dynsyms = (struct elf_sym *)(uintptr_t)img->nsyms;
		img->ndynsyms = n;
	}
	img->nsyms += n;
	return 0;
}

static void read_relocs(struct elf_image *img, Elf_Scn *scn, GElf_Shdr *sh,
			size_t dynsym_idx)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	if (!d || !n || sh->sh_link != dynsym_idx)
		return;
	struct elf_reloc *p = realloc(img->relocs, (img->nrelocs + n) * sizeof *p);
	if (!p)
		return;
	img->relocs = p;
	for (size_t i = 0; i < n; i++) {
		GElf_Rela r;
		if (!gelf_getrela(d, (int)i, &r))
			continue;
		size_t si = GELF_R_SYM(r.r_info);
		struct elf_reloc *o = &img->relocs[img->nrelocs++];
		o->offset = r.r_offset;
		o->type = GELF_R_TYPE(r.r_info);
		o->addend = r.r_addend;
		o->sym = si && si < img->ndynsyms ? &img->dynsyms[si] : NULL;
	}
}

static void read_build_id(struct elf_image *img, const GElf_Shdr *sh)
{
	const uint8_t *p = img->raw + sh->sh_offset;
	size_t left = sh->sh_size;

	if (sh->sh_offset + sh->sh_size > img->rawsize)
		return;
	while (left >= 12) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, p, 4);
		memcpy(&descsz, p + 4, 4);
		memcpy(&type, p + 8, 4);
		size_t nsz = (namesz + 3) & ~3u, dsz = (descsz + 3) & ~3u;
		if (12 + nsz + dsz > left)
			return;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && !memcmp(p + 12, "GNU", 4)) {
			img->build_id = p + 12 + nsz;
			img->build_id_len = descsz;
			return;
		}
		p += 12 + nsz + dsz;
		left -= 12 + nsz + dsz;
	}
}

static int image_build(struct elf_image *img, char *why, size_t whylen)
{
	GElf_Ehdr eh;
	size_t shstrndx, nsec, dynsym_idx = 0;
	Elf_Scn *scn = NULL;
	Elf_Data *versym = NULL;
	struct vernames v = { 0 };

	img->raw = (const uint8_t *)elf_rawfile(img->elf, &img->rawsize);
	if (elf_kind(img->elf) != ELF_K_ELF || !img->raw || !gelf_getehdr(img->elf, &eh) ||
	    gelf_getclass(img->elf) != ELFCLASS64) {
		why_set(why, whylen, "'%s' is not a 64-bit ELF file", img->path);
		return -1;
	}
	img->type = eh.e_type;
	if (elf_getshdrstrndx(img->elf, &shstrndx) || elf_getshdrnum(img->elf, &nsec)) {
		why_set(why, whylen, "'%s': %s", img->path, elf_errmsg(-1));
		return -1;
	}
	img->secs = calloc(nsec ? nsec : 1, sizeof *img->secs);
	if (!img->secs)
		goto nomem;

	/* Pass 1: sections, version tables, build-id. */
	while ((scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		size_t idx = elf_ndxscn(scn);
		if (idx < nsec) {
			struct elf_section *s = &img->secs[idx];
			const char *name = elf_strptr(img->elf, shstrndx, sh.sh_name);
			s->name = name ? name : "";
			s->addr = sh.sh_addr;
			s->size = sh.sh_size;
			s->offset = sh.sh_offset;
			s->type = sh.sh_type;
			s->flags = sh.sh_flags;
		}
		if (sh.sh_type == SHT_GNU_verdef || sh.sh_type == SHT_GNU_verneed)
			read_versions(img->elf, scn, &sh, &v);
		else if (sh.sh_type == SHT_GNU_versym)
			versym = elf_getdata(scn, NULL);
		else if (sh.sh_type == SHT_NOTE && !img->build_id)
			read_build_id(img, &sh);
	}
	img->nsecs = nsec;

	/* Pass 2: .symtab first, then .dynsym, so lookups by name prefer .symtab. */
	for (int pass = 0; pass < 2; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(img->elf, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh))
				continue;
			if (pass == 0 && sh.sh_type == SHT_SYMTAB) {
				img->has_symtab = true;
				if (read_symtab(img, scn, &sh, false, NULL, &v))
					goto nomem;
			} else if (pass == 1 && sh.sh_type == SHT_DYNSYM) {
				dynsym_idx = elf_ndxscn(scn);
				if (read_symtab(img, scn, &sh, true, versym, &v))
					goto nomem;
			}
		}
	}
	free(v.name);
	v.name = NULL;
	if (dynsym_idx)
		img->dynsyms = img->syms + (size_t)(uintptr_t)img->dynsyms;
	else
		img->dynsyms = NULL;

	/* Pass 3: dynamic relocations (they index .dynsym). */
	scn = NULL;
	while (dynsym_idx && (scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA)
			read_relocs(img, scn, &sh, dynsym_idx);
	}
	/* TLS block size (variant II: the block ends at the thread pointer). */
	size_t nph;
	if (!elf_getphdrnum(img->elf, &nph)) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(img->elf, (int)i, &ph) && ph.p_type == PT_TLS) {
				uint64_t a = ph.p_align ? ph.p_align : 1;
				img->tls_size = (ph.p_memsz + a - 1) / a * a;
			}
		}
	}
	return 0;
nomem:
	free(v.name);
	why_set(why, whylen, "'%s': out of memory", img->path);
	return -1;
}

static void image_free(struct elf_image *img)
{
	if (img->elf)
		elf_end(img->elf);
	if (img->fd >= 0)
		close(img->fd);
	free(img->secs);
	free(img->syms);
	free(img->bucket);
	free(img->chain);
	free(img->by_name);
	free(img->by_addr);
	free(img->relocs);
	free(img->path);
	pthread_mutex_destroy(&img->lock);
	free(img);
}

/* One file, unchanged: the same inode, and neither rewritten in place (cp
 * over it keeps the inode) nor truncated since. */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

struct elf_image *elf_image_open(const char *path, char *why, size_t whylen)
{
	struct elf_image *img;

	struct stat now;
	bool have_now = stat(path, &now) == 0;

	pthread_mutex_lock(&elf_lock);
	/* The same path may name another file by now (a plugin rebuilt and
	 * renamed over, or copied over, between a dlclose and a dlopen): an
	 * image serves only the file it was built from. Newest first. */
	for (img = elf_images; img; img = img->next)
		if (!strcmp(img->path, path) && have_now && same_file(&img->st, &now))
			goto out;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		why_set(why, whylen, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	img = calloc(1, sizeof *img);
	if (!img) {
		why_set(why, whylen, "'%s': out of memory", path);
		goto out;
	}
	pthread_mutex_init(&img->lock, NULL);
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	img->path = strdup(path);
	if (img->fd < 0 || !img->path) {
		why_set(why, whylen, "'%s': %s", path, strerror(img->fd < 0 ? errno : ENOMEM));
		image_free(img);
		img = NULL;
		goto out;
	}
	if (fstat(img->fd, &img->st) < 0) {
		why_set(why, whylen, "'%s': %s", path, strerror(errno));
		image_free(img);
		img = NULL;
		goto out;
	}
	img->elf = elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
	/* The whole file is mapped now (or, where mmap failed, read into memory
	 * by FDREAD, which also tells libelf it may use the descriptor no more):
	 * it is closed, and none is kept between calls (issue 14). */
	if (!img->elf || elf_cntl(img->elf, ELF_C_FDREAD)) {
		why_set(why, whylen, "'%s': %s", path, elf_errmsg(-1));
		image_free(img);
		img = NULL;
		goto out;
	}
	close(img->fd);
	img->fd = -1;
	if (image_build(img, why, whylen)) {
		image_free(img);
		img = NULL;
		goto out;
	}
	img->next = elf_images;
	elf_images = img;
out:
	pthread_mutex_unlock(&elf_lock);
	return img;
}

int elf_image_type(const struct elf_image *img) { return img->type; }
bool elf_image_has_symtab(const struct elf_image *img) { return img->has_symtab; }

/* ---- indexes ---- */

/* Questions by address a scan answers before the symbols are sorted by
 * address: a scan is one cheap pass, a sort ~log2(n) passes of costlier
 * comparisons; a start-up asks one or two per configured function. */
#define ADDR_SCANS 64

static bool defined(const struct elf_sym *s)
{
	return s->shndx != SHN_UNDEF && *s->name && s->type != STT_FILE && s->type != STT_SECTION;
}

static bool addressable(const struct elf_image *img, const struct elf_sym *s)
{
	return defined(s) && s->type != STT_TLS && s->shndx != SHN_ABS &&
	       s->shndx < SHN_LORESERVE && s->shndx < img->nsecs &&
	       (img->secs[s->shndx].flags & SHF_ALLOC);
}

static size_t name_hash(const char *name)
{
	size_t h = 5381;

	while (*name)
		h = h * 33 + (unsigned char)*name++;
	return h;
}

/* The indexes are caches: an image handed out as const still builds them. */
static struct elf_image *cached(const struct elf_image *img)
{
	return (struct elf_image *)img;
}

/* The hash table by name; false when out of memory. */
static bool by_name_hashed(const struct elf_image *cimg)
{
	struct elf_image *img = cached(cimg);
	size_t n = 1;

	if (__atomic_load_n(&img->bucket, __ATOMIC_ACQUIRE))
		return true;
	pthread_mutex_lock(&img->lock);
	if (!img->bucket) {
		while (n < img->nsyms)
			n *= 2;
		uint32_t *bucket = calloc(n, sizeof *bucket);
		img->chain = calloc(img->nsyms + 1, sizeof *img->chain);
		if (bucket && img->chain) {
			img->mask = n - 1;
			/* backwards, so that each bucket lists its symbols in
			 * `syms` order: .symtab's before .dynsym's */
			for (size_t i = img->nsyms; i-- > 0;) {
				if (!defined(&img->syms[i]))
					continue;
				size_t h = name_hash(img->syms[i].name) & img->mask;
				img->chain[i] = bucket[h];
				bucket[h] = (uint32_t)(i + 1);
			}
			__atomic_store_n(&img->bucket, bucket, __ATOMIC_RELEASE);
		} else {
			free(bucket);
		}
	}
	pthread_mutex_unlock(&img->lock);
	return img->bucket != NULL;
}

/* The next defined symbol named `name` after `prev` (NULL: the first), in
 * `syms` order; NULL at the end. */
static const struct elf_sym *named(const struct elf_image *img, const char *name,
				   const struct elf_sym *prev)
{
	uint32_t k;

	if (!prev) {
		if (!by_name_hashed(img))
			return NULL;
		k = img->bucket[name_hash(name) & img->mask];
	} else {
		k = img->chain[prev - img->syms];
	}
	for (; k; k = img->chain[k - 1])
		if (!strcmp(img->syms[k - 1].name, name))
			return &img->syms[k - 1];
	return NULL;
}

/* A sorted index over the symbols that keep(), built once; false when out
 * of memory. */
static bool sorted(const struct elf_image *cimg, const struct elf_sym ***index, size_t *count,
		   bool (*keep)(const struct elf_image *, const struct elf_sym *),
		   int (*cmp)(const void *, const void *))
{
	struct elf_image *img = cached(cimg);

	if (__atomic_load_n(index, __ATOMIC_ACQUIRE))
		return true;
	pthread_mutex_lock(&img->lock);
	if (!*index) {
		const struct elf_sym **v = calloc(img->nsyms + 1, sizeof *v);
		size_t n = 0;

		if (v) {
			for (size_t i = 0; i < img->nsyms; i++)
				if (keep(img, &img->syms[i]))
					v[n++] = &img->syms[i];
			qsort(v, n, sizeof *v, cmp);
			*count = n;
			__atomic_store_n(index, v, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&img->lock);
	return *index != NULL;
}

static bool keep_defined(const struct elf_image *img, const struct elf_sym *s)
{
	(void)img;
	return defined(s);
}

static bool by_name_sorted(const struct elf_image *img)
{
	return sorted(img, &cached(img)->by_name, &cached(img)->nby_name, keep_defined, cmp_name);
}

/* Whether questions by address go to the sorted index now (else: scan). */
static bool by_addr_sorted(const struct elf_image *img)
{
	if (__atomic_load_n(&img->by_addr, __ATOMIC_ACQUIRE))
		return true;
	if (__atomic_fetch_add(&cached(img)->addr_scans, 1, __ATOMIC_RELAXED) < ADDR_SCANS)
		return false;
	return sorted(img, &cached(img)->by_addr, &cached(img)->nby_addr, addressable, cmp_addr);
}

/* ---- questions ---- */

int elf_image_symbol(const struct elf_image *img, const char *name,
		     const char *version, struct elf_sym *out)
{
	const struct elf_sym *best = NULL, *tab = NULL;

	for (const struct elf_sym *s = named(img, name, NULL); s; s = named(img, name, s)) {
		if (!s->dynamic) {
			if (!tab)
				tab = s;
		} else if (version && *version) {
			if (!strcmp(s->version, version) && !best)
				best = s;
		} else if (!best || (best->hidden_version && !s->hidden_version)) {
			best = s;
		}
	}
	if (version && *version) {
		/* .symtab has no versions: it serves only where .dynsym has
		 * name@version at the same address. */
		if (!best)
			return -1;
		*out = tab && tab->value == best->value ? *tab : *best;
		out->version = best->version;
		return 0;
	}
	if (!tab && !best)
		return -1;
	*out = tab ? *tab : *best;
	if (tab && best && tab->value == best->value)
		out->version = best->version;
	return 0;
}

int elf_image_each_symbol(const struct elf_image *img, const char *name,
			  int (*fn)(const struct elf_sym *s, void *arg), void *arg)
{
	int r;

	if (name) {
		for (const struct elf_sym *s = named(img, name, NULL); s; s = named(img, name, s))
			if ((r = fn(s, arg)))
				return r;
		return 0;
	}
	if (!by_name_sorted(img))
		return 0;
	for (size_t i = 0; i < img->nby_name; i++)
		if ((r = fn(img->by_name[i], arg)))
			return r;
	return 0;
}

/* Index of the first by_addr entry with value > vaddr. */
static size_t addr_upper(const struct elf_image *img, uint64_t vaddr)
{
	size_t lo = 0, hi = img->nby_addr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->by_addr[mid]->value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int sym_rank(const struct elf_sym *s)
{
	int r = 0;

	if (s->type == STT_FUNC || s->type == STT_GNU_IFUNC)
		r += 4;
	if (s->bind != STB_LOCAL)
		r += 2;
	if (!s->dynamic)
		r += 1;
	return r;
}

/* Does s answer a question about vaddr, and better than best? */
static bool better_at(const struct elf_sym *s, const struct elf_sym *best, uint64_t vaddr)
{
	bool holds = s->size ? vaddr < s->value + s->size : vaddr == s->value;

	if (!holds || (s->type != STT_FUNC && s->type != STT_GNU_IFUNC && s->type != STT_OBJECT &&
		       s->type != STT_NOTYPE))
		return false;
	return !best || sym_rank(s) > sym_rank(best) ||
	       (sym_rank(s) == sym_rank(best) && s->value > best->value);
}

/*
 * The sorted answer: among the 64 symbols at or below vaddr nearest to it (a
 * bounded window, as symbols rarely nest), the best that holds it. A scan
 * gives the same answer without sorting: the best over all symbols, which is
 * the window's when fewer than 64 symbols lie between it and vaddr (in
 * by_addr's order: by value, then position); otherwise the index is built.
 */
static const struct elf_sym *scan_at(const struct elf_image *img, uint64_t vaddr, bool *unsure)
{
	const struct elf_sym *best = NULL;
	size_t above = 0;

	for (size_t i = 0; i < img->nsyms; i++) {
		const struct elf_sym *s = &img->syms[i];
		/* ties keep the later symbol, as the sorted walk (downwards) does */
		if (addressable(img, s) && s->value <= vaddr &&
		    (better_at(s, best, vaddr) ||
		     (best && s->value == best->value && sym_rank(s) == sym_rank(best) &&
		      better_at(s, NULL, vaddr))))
			best = s;
	}
	for (size_t i = 0; best && i < img->nsyms; i++) {
		const struct elf_sym *s = &img->syms[i];
		if (addressable(img, s) && s->value <= vaddr &&
		    (s->value > best->value || (s->value == best->value && s > best)))
			above++;
	}
	*unsure = above >= 64;
	return best;
}

int elf_image_symbol_at(const struct elf_image *img, uint64_t vaddr,
			struct elf_sym *out)
{
	const struct elf_sym *best = NULL;
	bool unsure = true;

	if (!by_addr_sorted(img))
		best = scan_at(img, vaddr, &unsure);
	if (unsure) {
		if (!sorted(img, &cached(img)->by_addr, &cached(img)->nby_addr, addressable, cmp_addr))
			return -1;
		best = NULL;
		size_t i = addr_upper(img, vaddr);
		for (size_t k = 0; i > 0 && k < 64; k++) {
			const struct elf_sym *s = img->by_addr[--i];
			if (better_at(s, best, vaddr))
				best = s;
		}
	}
	if (!best)
		return -1;
	*out = *best;
	return 0;
}

uint64_t elf_image_next_symbol(const struct elf_image *img, uint64_t vaddr)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	if (by_addr_sorted(img)) {
		i = addr_upper(img, vaddr);
		return i < img->nby_addr ? img->by_addr[i]->value : UINT64_MAX;
	}
	for (i = 0; i < img->nsyms; i++)
		if (addressable(img, &img->syms[i]) && img->syms[i].value > vaddr &&
		    img->syms[i].value < next)
			next = img->syms[i].value;
	return next;
}

const struct elf_section *elf_image_section_at(const struct elf_image *img,
					       uint64_t vaddr)
{
	for (size_t i = 0; i < img->nsecs; i++) {
		const struct elf_section *s = &img->secs[i];
		if ((s->flags & SHF_ALLOC) && !(s->flags & SHF_TLS) && s->size &&
		    vaddr >= s->addr && vaddr - s->addr < s->size)
			return s;
	}
	return NULL;
}

const uint8_t *elf_image_bytes(const struct elf_image *img, uint64_t vaddr,
			       size_t *avail)
{
	const struct elf_section *s = elf_image_section_at(img, vaddr);

	*avail = 0;
	if (!s || s->type == SHT_NOBITS || s->offset + s->size > img->rawsize)
		return NULL;
	*avail = s->size - (vaddr - s->addr);
	return img->raw + s->offset + (vaddr - s->addr);
}

int elf_image_read(const struct elf_image *img, uint64_t vaddr, void *buf, size_t n)
{
	size_t avail;
	const uint8_t *p = elf_image_bytes(img, vaddr, &avail);

	if (!p || avail < n)
		return -1;
	memcpy(buf, p, n);
	return 0;
}

/* Sorted once, in place, on first use: never read before that. */
static void relocs_sort(const struct elf_image *img)
{
	if (!__atomic_load_n(&img->relocs_sorted, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&cached(img)->lock);
		if (!img->relocs_sorted) {
			qsort(img->relocs, img->nrelocs, sizeof *img->relocs, cmp_reloc);
			__atomic_store_n(&cached(img)->relocs_sorted, true, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&cached(img)->lock);
	}
}

const struct elf_reloc *elf_image_reloc_at(const struct elf_image *img, uint64_t slot)
{
	size_t lo = 0, hi = img->nrelocs;

	relocs_sort(img);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->relocs[mid].offset < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < img->nrelocs && img->relocs[lo].offset == slot ? &img->relocs[lo] : NULL;
}

size_t elf_image_relocs(const struct elf_image *img, const struct elf_reloc **out)
{
	relocs_sort(img);
	*out = img->relocs;
	return img->nrelocs;
}

const struct stat *elf_image_stat(const struct elf_image *img) { return &img->st; }

const uint8_t *elf_image_build_id(const struct elf_image *img, size_t *len)
{
	*len = img->build_id_len;
	return img->build_id;
}

uint64_t elf_image_tls_size(const struct elf_image *img) { return img->tls_size; }

int elf_image_tls_symbol_at(const struct elf_image *img, uint64_t offset,
			    struct elf_sym *out)
{
	const struct elf_sym *best = NULL;

	if (!by_name_sorted(img))
		return -1;
	for (size_t i = 0; i < img->nby_name; i++) {
		const struct elf_sym *s = img->by_name[i];
		if (s->type != STT_TLS || offset < s->value ||
		    offset >= s->value + (s->size ? s->size : 1))
			continue;
		if (!best || (best->dynamic && !s->dynamic))
			best = s;
	}
	if (!best)
		return -1;
	*out = *best;
	return 0;
}

int elf_image_global(const struct elf_image *img, const char *name,
		     uint64_t *vaddr, uint64_t *size, bool *tls)
{
	for (const struct elf_sym *s = named(img, name, NULL); s; s = named(img, name, s)) {
		if (s->type != STT_OBJECT && s->type != STT_TLS && s->type != STT_COMMON)
			continue;
		*vaddr = s->value;
		*size = s->size;
		*tls = s->type == STT_TLS;
		return 0;
	}
	return -1;
}

void elf_image_extent(const struct elf_image *img, uint64_t vaddr, uint64_t *size, uint64_t *cold,
		      uint64_t *cold_size)
{
	struct elf_sym s, c;
	char *name;

	*size = *cold = *cold_size = 0;
	if (elf_image_symbol_at(img, vaddr, &s) < 0 || s.value != vaddr || !s.size)
		return;
	*size = s.size;
	if (asprintf(&name, "%s.cold", s.name) < 0)
		return;
	if (elf_image_symbol(img, name, NULL, &c) == 0 && c.size) {
		*cold = c.value;
		*cold_size = c.size;
	}
	free(name);
}
