/*
 * got: routes calls that cross objects to hooks by rewriting GOT slots
 * (R_X86_64_JUMP_SLOT: PLT calls; R_X86_64_GLOB_DAT: -fno-plt calls), and
 * keeps doing so for objects dlopen'ed later through the dlopen thunk; sees
 * objects unloaded, through its dlclose wrapper (got_dlclose) and the
 * loader's count of unloads, so that start-up's recheck retires their hooks.
 * Calls elf_peek, inline_patched, log, dl_iterate_phdr, mprotect, and the
 * activation and recheck start-up registers (got_set_activate). Start-up,
 * dlopen and dlclose only, under runtime_lock; the hot path only ever reads a
 * slot we wrote (one aligned 8-byte store, so a caller sees old or new).
 *
 * Which slot is ours: a relocation naming the hook's symbol whose version (the
 * object's DT_VERSYM entry, through DT_VERNEED/DT_VERDEF) is the one the
 * hook's target is defined with, and whose current value is the target, our
 * entry already, or (JUMP_SLOT of an import only) the object's own PLT stub
 * that lazy binding has not resolved yet (of a function with several
 * copies, only where the loader will bind it to this hook's copy:
 * got_lazy_binding). A slot holding anything else binds
 * to another definition (interposed, another namespace) and is left alone.
 * The original is always h->target: a lazy slot is never read for it.
 *
 * Objects still being relocated by another thread's dlopen are skipped (their
 * RELRO is still writable): the loader would otherwise add the load bias to
 * our value or fault on a page we made read-only. That thread's own dlopen
 * thunk patches them once its dlopen returns.
 */
#include "patch/got.h"

#include "base/fdwatch.h"
#include "base/log.h"
#include "base/util.h"
#include "call/runtime.h"
#include "find/elf_peek.h"
#include "find/hook.h"
#include "patch/dlopen_thunk.h"
#include "patch/inline.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

/* What activates a hook whose symbol a dlopen may have brought (boot's
 * activate_after_dlopen), and what retires one whose object was unloaded
 * (activate_recheck); set once at start-up before any pass. */
static got_activate_fn *got_activate, *got_recheck;
static void (*got_copies)(void);

/* dlpi_adds at the start of the last complete pass (under runtime_lock). */
static unsigned long long got_last_adds;
/* dlpi_subs when hooks were last rechecked (under runtime_lock). */
static unsigned long long got_last_subs;

/* The real dlclose, which every object's dlclose slot led to: set with the
 * thunk's table, before any slot leads to got_dlclose. */
static int (*got_real_dlclose)(void *handle);

/* Set while this thread runs a pass: a dlopen made by libmemo's own work
 * (identity, a backend) must not start a pass inside the pass. */
static __thread int got_busy;

/* One symbol whose slots a pass rewrites: a hook, or dlopen/dlmopen/dlclose. */
struct got_want {
	const char *name;
	const char *version;	/* the version slots must require; NULL = any */
	bool exact;		/* version set in the config: unversioned slots do not bind */
	uintptr_t target, entry;
	struct hook *h;		/* NULL for dlopen, dlmopen and dlclose */
	int slots;		/* slots found holding entry */
	bool lazy_ok;		/* a lazy slot of this name will bind to target */
	char defver[64];
};

/* A snapshot of /proc/self/maps: which pages are writable right now. */
struct got_map {
	uintptr_t lo, hi;
	int prot;
};

struct got_pass {
	struct got_want *wants;
	int nwants;
	struct got_map *maps;	/* NULL: /proc unreadable, RELRO decides */
	int nmaps;
	bool maps_read;
	bool loader_prot;	/* protections as the loader left them: maps not read */
	bool incomplete;	/* an object was skipped while loading */
	uintptr_t self, vdso, rtld;
	/* the wants' first letters, a bit each: most imports begin with no
	 * want's, and skip the comparison with each (~10 k instructions of a
	 * ten-function start, whose 13 wants met 216 imports) */
	uint64_t firsts[4];
};

/* The name of version index `ndx` in this object ("" = unversioned). */
static const char *got_version_name(const struct elf_peek_dyn *d, unsigned ndx)
{
	const ElfW(Verneed) *vn = d->verneed;
	const ElfW(Verdef) *vd = d->verdef;

	if (ndx <= VER_NDX_GLOBAL)
		return "";
	while (vn) {
		const ElfW(Vernaux) *a = (const void *)((const char *)vn + vn->vn_aux);
		unsigned i;
		for (i = 0; i < vn->vn_cnt; i++) {
			if (a->vna_other == ndx)
				return d->strtab + a->vna_name;
			a = (const void *)((const char *)a + a->vna_next);
		}
		vn = vn->vn_next ? (const void *)((const char *)vn + vn->vn_next) : NULL;
	}
	while (vd) {
		if (vd->vd_ndx == ndx && !(vd->vd_flags & VER_FLG_BASE)) {
			const ElfW(Verdaux) *a = (const void *)((const char *)vd + vd->vd_aux);
			return d->strtab + a->vda_name;
		}
		vd = vd->vd_next ? (const void *)((const char *)vd + vd->vd_next) : NULL;
	}
	return "";
}

/* How many entries .dynsym has: DT_HASH says; with only DT_GNU_HASH, the
 * last chain of the highest bucket ends the table. */
static size_t got_nsyms(const struct elf_peek_dyn *d)
{
	const uint32_t *g = d->gnu_hash, *buckets, *chain;
	uint32_t nbuckets, symoffset, bloomsz, i, last = 0;

	if (d->hash)
		return d->hash[1];
	if (!g)
		return 0;
	nbuckets = g[0];
	symoffset = g[1];
	bloomsz = g[2];
	buckets = g + 4 + bloomsz * (sizeof(ElfW(Addr)) / 4);
	chain = buckets + nbuckets;
	for (i = 0; i < nbuckets; i++)
		if (buckets[i] > last)
			last = buckets[i];
	if (last < symoffset)
		return symoffset;
	while (!(chain[last - symoffset] & 1))
		last++;
	return last + 1;
}

/*
 * The version `name` is defined with in the object that holds `target`: the
 * default (non-hidden) definition, which is what dlsym(RTLD_DEFAULT) returned.
 * "" when unversioned.
 */
static void got_defined_version(uintptr_t target, const char *name, char *out, size_t n)
{
	struct link_map *lm = util_object_at((void *)target);
	const ElfW(Sym) *found;
	struct elf_peek_dyn d;
	size_t i, nsyms;

	*out = '\0';
	if (!lm || !elf_peek_dynamic(lm->l_ld, lm->l_addr, &d) || !d.versym)
		return;
	/* the hash table first: libc's 3,000 symbols walked for each hook
	 * were a tenth of a start-up */
	if ((found = elf_peek_lookup(&d, name))) {
		snprintf(out, n, "%s", got_version_name(&d, d.versym[found - d.symtab] & 0x7fff));
		return;
	}
	nsyms = got_nsyms(&d);
	for (i = 1; i < nsyms; i++) {
		const ElfW(Sym) *s = &d.symtab[i];
		if (s->st_shndx == SHN_UNDEF || (d.versym[i] & 0x8000) ||
		    strcmp(d.strtab + s->st_name, name))
			continue;
		snprintf(out, n, "%s", got_version_name(&d, d.versym[i] & 0x7fff));
		return;
	}
}

/* Reads /proc/self/maps into p->maps; on failure p->maps stays NULL. */
static void got_maps_read(struct got_pass *p)
{
	char buf[8192];
	size_t have = 0;
	int cap = 0, fd;
	ssize_t got;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while ((got = read(fd, buf + have, sizeof buf - have)) > 0 || (got < 0 && errno == EINTR)) {
		char *line = buf, *nl;
		if (got < 0)
			continue;
		have += got;
		while ((nl = memchr(line, '\n', buf + have - line))) {
			struct got_map m;
			char *end;
			m.lo = strtoul(line, &end, 16);
			m.hi = strtoul(end + 1, &end, 16);
			m.prot = (end[1] == 'r' ? PROT_READ : 0) | (end[2] == 'w' ? PROT_WRITE : 0) |
				 (end[3] == 'x' ? PROT_EXEC : 0);
			if (p->nmaps == cap) {
				struct got_map *more = realloc(p->maps, (cap = cap ? 2 * cap : 256) * sizeof *more);
				if (!more) {
					free(p->maps);
					p->maps = NULL;
					p->nmaps = 0;
					close(fd);
					return;
				}
				p->maps = more;
			}
			p->maps[p->nmaps++] = m;
			line = nl + 1;
		}
		have = buf + have - line;
		memmove(buf, line, have);
	}
	close(fd);
}

/* The protection of the page holding `addr`: -1 when unknown. */
static int got_prot(const struct got_pass *p, uintptr_t addr)
{
	int lo = 0, hi = p->nmaps - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (addr < p->maps[mid].lo)
			hi = mid - 1;
		else if (addr >= p->maps[mid].hi)
			lo = mid + 1;
		else
			return p->maps[mid].prot;
	}
	return -1;
}

static bool got_contains(const struct dl_phdr_info *info, uintptr_t addr, bool exec_only)
{
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && (!exec_only || (ph->p_flags & PF_X)) &&
		    addr >= lo && addr < lo + ph->p_memsz)
			return true;
	}
	return false;
}

/*
 * libmemo's own dependencies are never patched: their calls are libmemo's,
 * and a dlopen they make while libmemo holds runtime_lock must not come back
 * into got_after_dlopen.
 */
static bool got_is_own_dependency(const char *path)
{
	static const char *const libs[] = {	/* libb2 and libffi are linked in statically */
		"libmemo.so", "libmemo-", "libelf.so", "libelf-", "libZydis.so", "liblmdb.so", "libmemcached.so",
		"libhashkit.so", "libsasl2.so",
	};
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < sizeof libs / sizeof libs[0]; i++)
		if (!strncmp(base, libs[i], strlen(libs[i])))
			return true;
	return false;
}

/* Writes `val` into a slot, lifting a read-only protection for the write only. */
static bool got_write(const struct got_pass *p, uintptr_t *slot, uintptr_t val, bool in_relro)
{
	uintptr_t page = (uintptr_t)slot & ~(uintptr_t)(getpagesize() - 1);
	int prot = p->maps ? got_prot(p, (uintptr_t)slot) : -1;

	if (prot < 0)
		prot = in_relro ? PROT_READ : PROT_READ | PROT_WRITE;
	if (prot & PROT_WRITE) {
		__atomic_store_n(slot, val, __ATOMIC_RELEASE);
		return true;
	}
	if (mprotect((void *)page, getpagesize(), prot | PROT_WRITE)) {
		log_warn("cannot make the GOT page %p writable: %s", (void *)page, strerror(errno));
		return false;
	}
	__atomic_store_n(slot, val, __ATOMIC_RELEASE);
	if (mprotect((void *)page, getpagesize(), prot))
		log_warn("cannot restore the protection of GOT page %p: %s", (void *)page,
			 strerror(errno));
	return true;
}

static bool got_version_ok(const struct got_want *w, const char *slotver)
{
	if (!w->version)
		return true;
	if (!*slotver)
		return !w->exact;
	return !strcmp(slotver, w->version);
}

/*
 * Whether a lazy slot naming w's function will bind to w's target: so for
 * a function with one copy; with several (another hook wants the name), the
 * loader binds a slot to the global scope's definition, the one
 * dlsym(RTLD_DEFAULT) finds, and only when the global scope has none to one
 * in the object's own dependencies, which is not known here: such a slot is
 * left to bind, and routed by the pass after the next dlopen. Outside
 * dl_iterate_phdr (dlsym takes a loader lock).
 */
static bool got_lazy_binding(const struct got_pass *p, const struct got_want *w)
{
	void *global;

	for (int i = 0; i < p->nwants; i++)
		if (&p->wants[i] != w && p->wants[i].h && !strcmp(p->wants[i].name, w->name))
			goto copied;
	return true;
copied:
	global = w->exact ? dlvsym(RTLD_DEFAULT, w->name, w->version) : dlsym(RTLD_DEFAULT, w->name);
	return (uintptr_t)global == w->target;
}

/* One relocation of one object: rewrite it if it is one of ours. */
static void got_slot(struct got_pass *p, const struct dl_phdr_info *info,
		     const struct elf_peek_dyn *d, const ElfW(Rela) *r, uintptr_t relro_lo,
		     uintptr_t relro_hi)
{
	unsigned type = ELF64_R_TYPE(r->r_info), symi = ELF64_R_SYM(r->r_info);
	const ElfW(Sym) *sym;
	const char *name, *ver = NULL;
	uintptr_t *slot, cur;
	bool lazy;
	int i;

	if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || !symi)
		return;
	sym = &d->symtab[symi];
	if (d->strsz && sym->st_name >= d->strsz)
		return;
	name = d->strtab + sym->st_name;
	if (!(p->firsts[(uint8_t)name[0] / 64] >> ((uint8_t)name[0] % 64) & 1))
		return;
	slot = (uintptr_t *)(d->bias + r->r_offset);
	for (i = 0; i < p->nwants; i++) {
		struct got_want *w = &p->wants[i];
		/* the first letter inline: each import of every object is
		 * compared with dlopen's, dlmopen's and dlclose's names */
		if (name[0] != w->name[0] || strcmp(name, w->name))
			continue;
		/* the version only for a name wanted: a walk of the version lists */
		if (!ver)
			ver = d->versym ? got_version_name(d, d->versym[symi] & 0x7fff) : "";
		if (!got_version_ok(w, ver))
			continue;
		cur = __atomic_load_n(slot, __ATOMIC_RELAXED);
		if (cur == w->entry) {
			w->slots++;
			return;
		}
		/* an import's slot pointing into its own code is its unresolved PLT stub */
		lazy = type == R_X86_64_JUMP_SLOT && sym->st_shndx == SHN_UNDEF &&
		       got_contains(info, cur, true);
		if (cur != w->target && !lazy)
			continue;
		/* a lazy slot of a name with several copies goes to the one
		 * the loader will bind it to (got_lazy_binding) */
		if (cur != w->target && !w->lazy_ok)
			continue;
		/* read-only where the loader made it so: RELRO's whole pages */
		if (got_write(p, slot, w->entry,
			      (uintptr_t)slot >= (relro_lo & ~(uintptr_t)(getpagesize() - 1)) &&
			      (uintptr_t)slot < (relro_hi & ~(uintptr_t)(getpagesize() - 1)))) {
			w->slots++;
			log_debug("'%s': %s slot %p in '%s' patched%s", name,
				  type == R_X86_64_JUMP_SLOT ? "PLT" : "GOT", (void *)slot,
				  *info->dlpi_name ? info->dlpi_name : "main program",
				  lazy ? " (lazy, not bound yet)" : "");
		}
		return;
	}
}

/*
 * Only the base namespace is patched: a copy of a library loaded with
 * dlmopen into another namespace has its own definitions, and a lazy slot
 * there would otherwise be sent to the base namespace's hook. Inside the
 * dl_iterate_phdr callback the loader's list lock is held, so the list
 * _r_debug heads (the base namespace's) cannot change while it is walked.
 */
static bool got_in_base_namespace(const ElfW(Dyn) *dyn)
{
	const struct link_map *lm;

	for (lm = _r_debug.r_map; lm; lm = lm->l_next)
		if (lm->l_ld == dyn)
			return true;
	return false;
}

static int got_object_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct got_pass *p = arg;
	const ElfW(Dyn) *dyn = NULL;
	uintptr_t relro_lo = 0, relro_hi = 0, page = getpagesize();
	struct elf_peek_dyn d;
	size_t i;

	(void)size;
	/* read while the loader's list lock is held: every object listed now
	 * stays mapped until the walk ends, and a RELRO seen read-only is final */
	if (!p->maps_read) {
		if (!p->loader_prot)
			got_maps_read(p);
		p->maps_read = true;
	}
	if (got_contains(info, p->self, false) || (p->vdso && got_contains(info, p->vdso, false)) ||
	    (p->rtld && got_contains(info, p->rtld, false)) ||
	    got_is_own_dependency(info->dlpi_name ? info->dlpi_name : ""))
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const void *)(info->dlpi_addr + ph->p_vaddr);
		else if (ph->p_type == PT_GNU_RELRO) {
			relro_lo = info->dlpi_addr + ph->p_vaddr;
			relro_hi = relro_lo + ph->p_memsz;
		}
	}
	if (!dyn || !got_in_base_namespace(dyn) || !elf_peek_dynamic(dyn, info->dlpi_addr, &d))
		return 0;
	/* the loader protects [page-down(start), page-down(end)) once relocated */
	if (p->maps && (relro_lo & ~(page - 1)) < (relro_hi & ~(page - 1))) {
		int prot = got_prot(p, relro_lo & ~(page - 1));
		if (prot >= 0 && (prot & PROT_WRITE)) {
			log_debug("'%s': still being loaded, patched after its dlopen", info->dlpi_name);
			p->incomplete = true;
			return 0;
		}
	}
	for (i = 0; i < d.njmprel; i++)
		got_slot(p, info, &d, &d.jmprel[i], relro_lo, relro_hi);
	for (i = 0; i < d.nrela; i++)
		got_slot(p, info, &d, &d.rela[i], relro_lo, relro_hi);
	return 0;
}

/* The loader's counts of objects loaded and unloaded so far. */
static int got_counts_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	unsigned long long *c = arg;

	(void)size;
	c[0] = info->dlpi_adds;
	c[1] = info->dlpi_subs;
	return 1;
}

static unsigned long long got_count(int which)
{
	unsigned long long c[2] = { 0, 0 };
	dl_iterate_phdr(got_counts_cb, c);
	return c[which];
}

static unsigned long long got_adds(void) { return got_count(0); }
static unsigned long long got_subs(void) { return got_count(1); }

void got_set_activate(got_activate_fn *activate, got_activate_fn *recheck, void (*copies)(void))
{
	got_activate = activate;
	got_recheck = recheck;
	got_copies = copies;
}

/* Objects were unloaded since the last look: retire the hooks whose code
 * went with them, before anything loaded since is patched or activated. */
static void got_recheck_unloaded(void)
{
	unsigned long long subs = got_subs();
	int i;

	if (subs == got_last_subs)
		return;
	for (i = 0; i < nhooks && got_recheck; i++)
		got_recheck(&hooks[i]);
	got_last_subs = subs;
}

/* Where dlclose slots lead: the real dlclose, then the hooks whose object it
 * unloaded are retired at once, while nothing can have been mapped at their
 * address yet (the pass after the next dlopen checks again, for a dlclose
 * reached otherwise: through a pointer from dlsym). */
static int got_dlclose(void *handle)
{
	int r = got_real_dlclose(handle), saved = errno, was;

	/* libmemo's own work (or a dependency's) under runtime_lock: see
	 * got_after_dlopen */
	if (r == 0 && !got_busy && !guard_taken()) {
		was = runtime_lock();
		got_recheck_unloaded();
		runtime_unlock(was);
	}
	errno = saved;
	return r;
}

/* Hooks whose symbol a dlopen may have brought: activate them now, then
 * the copies of their functions it may have brought. */
static void got_activate_pending(void)
{
	int i;

	for (i = 0; i < nhooks && got_activate; i++)
		if (hooks[i].state == HOOK_UNRESOLVED)
			got_activate(&hooks[i]);
	if (got_copies)
		got_copies();
}

/* An entry-patched hook already catches every call: its slots stay as they are. */
static bool got_wanted(const struct hook *h)
{
	return __atomic_load_n(&h->state, __ATOMIC_ACQUIRE) == HOOK_ACTIVE && h->entry &&
	       h->target &&
	       (h->fn->mechanism == MECH_GOT || (h->fn->mechanism == MECH_AUTO && !inline_patched(h)));
}

static uintptr_t got_dlopen_gadget(uintptr_t ret_addr);
static void got_thunk_after(void *handle);
static struct fdwatch *got_fdwatch;	/* libmemo.so's; set by the first pass */

void got_install_all(void)
{
	static bool started;
	struct got_pass p = { 0 };
	unsigned long long adds = got_adds();
	int i, n = 0;

	got_busy++;
	if (!dlopen_thunk_env.real_dlopen) {
		dlopen_thunk_env.gadget = got_dlopen_gadget;
		dlopen_thunk_env.after = got_thunk_after;
		dlopen_thunk_env.real_dlopen = dlsym(RTLD_DEFAULT, "dlopen");
		dlopen_thunk_env.real_dlmopen = dlsym(RTLD_DEFAULT, "dlmopen");
		got_real_dlclose = (int (*)(void *))dlsym(RTLD_DEFAULT, "dlclose");
		got_last_subs = got_subs();
		got_fdwatch = fdwatch_find();
	}
	got_recheck_unloaded();
	got_activate_pending();
	p.wants = calloc(nhooks + 3, sizeof *p.wants);
	if (!p.wants) {
		log_error("cannot patch GOT slots: out of memory");
		goto out;
	}
	for (i = 0; i < nhooks; i++) {
		struct hook *h = &hooks[i];
		struct got_want *w = &p.wants[n];
		if (!got_wanted(h))
			continue;
		w->h = h;
		w->name = h->sym_name ? h->sym_name : h->fn->symbol;	/* C++: mangled */
		w->target = (uintptr_t)h->target;
		w->entry = (uintptr_t)h->entry;
		if (*h->fn->version) {
			w->version = h->fn->version;
			w->exact = true;
		} else {
			got_defined_version(w->target, w->name, w->defver, sizeof w->defver);
			w->version = *w->defver ? w->defver : NULL;
		}
		n++;
	}
	if (dlopen_thunk_env.real_dlopen)
		p.wants[n++] = (struct got_want){ .name = "dlopen",
						   .target = (uintptr_t)dlopen_thunk_env.real_dlopen,
						   .entry = (uintptr_t)dlopen_thunk };
	if (dlopen_thunk_env.real_dlmopen)
		p.wants[n++] = (struct got_want){ .name = "dlmopen",
						   .target = (uintptr_t)dlopen_thunk_env.real_dlmopen,
						   .entry = (uintptr_t)dlmopen_thunk };
	if (got_real_dlclose)
		p.wants[n++] = (struct got_want){ .name = "dlclose",
						   .target = (uintptr_t)got_real_dlclose,
						   .entry = (uintptr_t)got_dlclose };
	p.nwants = n;
	for (i = 0; i < n; i++)
		p.firsts[(uint8_t)p.wants[i].name[0] / 64] |= 1ull << ((uint8_t)p.wants[i].name[0] % 64);
	for (i = 0; i < n; i++)
		p.wants[i].lazy_ok = got_lazy_binding(&p, &p.wants[i]);
	/* The start-up's pass, alone in the process: every object listed was
	 * relocated before the first constructor ran, with the protections the
	 * loader gives (RELRO's whole pages read-only, got_write's guess), and
	 * none is half loaded by another thread. /proc/self/maps, which the
	 * kernel formats whole (~70 us, a tenth of a start-up), is not read. */
	p.loader_prot = !started && inline_threads_running() == 1;
	started = true;
	p.self = (uintptr_t)&got_install_all;
	p.vdso = getauxval(AT_SYSINFO_EHDR);
	p.rtld = getauxval(AT_BASE);
	dl_iterate_phdr(got_object_cb, &p);
	for (i = 0; i < n; i++)
		if (p.wants[i].h)
			p.wants[i].h->got_slots = p.wants[i].slots;
	got_last_adds = p.incomplete ? 0 : adds;
out:
	dlerror();	/* our lookups leave no error for the host to read */
	free(p.maps);
	free(p.wants);
	got_busy--;
}

/* After a successful dlopen or dlmopen: patch what it loaded. */
static void got_after_dlopen(void)
{
	int was;

	/* A dlopen made while libmemo works (its store opening at a first call,
	 * under runtime_lock) is its own, or its dependencies': no pass now, and
	 * above all no taking of the lock that thread may hold. */
	if (got_busy || guard_taken())
		return;
	was = runtime_lock();
	/* nothing was loaded since the last complete pass (the library was
	 * already there, or only dlclose happened): nothing to patch */
	if (got_adds() != got_last_adds)
		got_install_all();
	runtime_unlock(was);
}

/*
 * Called by the thunk before the real dlopen: the address of a `ret` byte in
 * an executable segment of the object that holds `ret_addr` (the caller), or 0
 * (then the thunk jumps to dlopen as a plain tail call and no pass follows).
 */
struct got_gadget {
	uintptr_t ret, gadget;
};

static int got_gadget_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct got_gadget *g = arg;
	int i;

	(void)size;
	if (!got_contains(info, g->ret, true))
		return 0;
	for (i = 0; i < info->dlpi_phnum && !g->gadget; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *lo = (const char *)(info->dlpi_addr + ph->p_vaddr), *c;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && (ph->p_flags & PF_R) &&
		    (c = memchr(lo, 0xc3, ph->p_filesz)))
			g->gadget = (uintptr_t)c;
	}
	return 1;
}

static uintptr_t got_dlopen_gadget(uintptr_t ret_addr)
{
	struct got_gadget g = { ret_addr, 0 };
	int saved = errno;

	dl_iterate_phdr(got_gadget_cb, &g);
	errno = saved;
	return g.gadget;
}

/* Called by the thunk after the real dlopen returned `handle`. */
static void got_thunk_after(void *handle)
{
	int saved = errno;

	if (handle) {
		if (got_fdwatch)	/* code mc_io has not looked at (base/fdwatch.h) */
			fdwatch_bump(got_fdwatch);
		got_after_dlopen();
	}
	errno = saved;
}
