/*
 * activate: makes a found function memoized: resolve its symbol, prepare its
 * libffi closure, patch its entry where its mechanism allows (else route its
 * GOT slots to the closure), then publish it HOOK_ACTIVE. Runs at start-up
 * (engine.c) and, through the callback engine.c gives got.c, after a dlopen
 * that may have brought a configured symbol.
 * An object unloaded (dlclose) takes its hooks' code with it: such a hook is
 * retired (activate_recheck) and made memoized anew when its symbol is loaded
 * again, so a reload, or a new build at the same path, is identified anew
 * (and its prototype checked anew against the new build's debug info).
 * Calls find (symbols, signature), call (closure, l1, runtime), patch
 * (inline), log, util (which object holds an address). Single-threaded before main, else under runtime_lock.
 */
#include "boot/activate.h"

#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "call/closure.h"
#include "call/l1.h"
#include "call/prime.h"
#include "call/runtime.h"
#include "find/run_report.h"
#include "find/signature.h"
#include "find/symbols.h"
#include "patch/inline.h"

/* The NT_GNU_BUILD_ID note of the loaded object that holds `addr`, read
 * where it is mapped. */
struct loaded_note {
	uintptr_t addr;
	uint8_t id[sizeof ((struct hook *)0)->loaded_id];
	size_t len;
	uintptr_t code_lo, code_hi;	/* the object's executable segments, first to last */
	unsigned long long adds, subs;	/* the loader's counts of loads and unloads */
};

static int loaded_note_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct loaded_note *n = arg;
	bool holds = false;
	uintptr_t code_lo = UINTPTR_MAX, code_hi = 0;
	int i;

	(void)size;
	n->adds = info->dlpi_adds;
	n->subs = info->dlpi_subs;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD)
			continue;
		holds |= n->addr >= lo && n->addr - lo < ph->p_memsz;
		if (ph->p_flags & PF_X) {
			code_lo = lo < code_lo ? lo : code_lo;
			code_hi = lo + ph->p_memsz > code_hi ? lo + ph->p_memsz : code_hi;
		}
	}
	if (!holds)
		return 0;
	if (code_hi) {
		n->code_lo = code_lo;
		n->code_hi = code_hi;
	}
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end;
		if (ph->p_type != PT_NOTE)
			continue;
		for (end = p + ph->p_memsz; p + sizeof(ElfW(Nhdr)) <= end;) {
			const ElfW(Nhdr) *nh = (const void *)p;
			size_t name = (nh->n_namesz + 3) & ~3u, desc = (nh->n_descsz + 3) & ~3u;
			const uint8_t *d = p + sizeof *nh + name;
			if (d + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof *nh, "GNU", 4)) {
				n->len = nh->n_descsz < sizeof n->id ? nh->n_descsz : sizeof n->id;
				memcpy(n->id, d, n->len);
				return 1;
			}
			p = d + desc;
		}
	}
	return 1;
}

/* h's object's build-id as loaded into id (length 0: none); the note also
 * carries the loader's counts of loads and unloads. */
static struct loaded_note loaded_build_id(const struct hook *h, uint8_t *id, uint8_t *len)
{
	struct loaded_note n = { .addr = (uintptr_t)h->target };

	dl_iterate_phdr(loaded_note_cb, &n);
	memcpy(id, n.id, n.len);
	*len = (uint8_t)n.len;
	return n;
}

/* h's object's build-id into h->loaded_id, and into h->file the file it
 * was loaded from: prime.c checks that the path still names it before it
 * computes the identity. A stat, not an ELF image (for an object without
 * .symtab, libc, nothing else at start-up reads one); once per object while
 * no object comes or goes, so the same load: ten functions of libc, one
 * stat. */
static int loader_counts_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct loaded_note *n = arg;

	(void)size;
	n->adds = info->dlpi_adds;
	n->subs = info->dlpi_subs;
	return 1;
}

static void loaded_facts(struct hook *h)
{
	/* the build-id too: a walk to the object that holds the function
	 * for each of ten functions of libc was 9 walks too many (the
	 * loader's counts are read from the first object alone) */
	static struct {
		const void *object;
		unsigned long long adds, subs;
		struct stat st;
		bool stat_ok;
		uint8_t id[sizeof h->loaded_id], id_len;
		uintptr_t code_lo, code_hi;
	} last __attribute__((aligned(8)));	/* with the small statics: identity.c */
	struct loaded_note n = { 0 };

	dl_iterate_phdr(loader_counts_cb, &n);
	if (!last.object || last.object != h->object || last.adds != n.adds || last.subs != n.subs) {
		n = loaded_build_id(h, last.id, &last.id_len);
		last.stat_ok = stat(h->path, &last.st) == 0;
		last.object = h->object;
		last.code_lo = n.code_lo;
		last.code_hi = n.code_hi;
		last.adds = n.adds;
		last.subs = n.subs;
	}
	memcpy(h->loaded_id, last.id, last.id_len);
	h->loaded_id_len = last.id_len;
	h->code_lo = last.code_lo;
	h->code_hi = last.code_hi;
	if (last.stat_ok)
		h->file = last.st;
}

/* A hook with a closure but no entry patch (refused, or its install failed):
 * with `mechanism = inline` it fails; otherwise its GOT slots are routed,
 * through a closure alone in a page if its stub page's is gone. 0, or -1. */
static int unpatched(struct hook *h)
{
	if (h->fn->mechanism == MECH_INLINE)
		return -1;
	log_warn("'%s': not entry-patched [%s] (%s); only calls through GOT slots are "
		 "memoized", h->fn->symbol, hook_refusal_name(h->refusal), h->why);
	return !h->entry ? closure_page(h) : 0;
}

void activate_unpatched(struct hook *h)
{
	if (unpatched(h) < 0)
		h->state = HOOK_FAILED;
}

int activate_hook(struct hook *h)
{
	if (h->state != HOOK_UNRESOLVED)
		return h->state == HOOK_ACTIVE ? 0 : -1;
	/* where symbol facts and prototype verdicts are kept, if anywhere */
	prime_identity_dir();
	if (sym_resolve(h) < 0)
		return -1;
	h->object = util_object_at(h->target);
	loaded_facts(h);
	h->orig = h->target;	/* until a trampoline stands for it */
	/* the cif depends on the prototype alone: a retired hook keeps it */
	if (signature_check_hook(h) < 0 || (!h->reloads && closure_prepare(h) < 0))
		goto failed;
	if (h->fn->mechanism != MECH_GOT &&
	    (inline_prepare(h, closure_write) < 0 || inline_install(h) < 0)) {
		if (unpatched(h) < 0)
			goto failed;
	} else if (!h->entry && closure_page(h) < 0) {	/* GOT slots need a closure */
		goto failed;
	}
	__atomic_store_n(&h->state, HOOK_ACTIVE, __ATOMIC_RELEASE);
	log_info("'%s' memoized (%s)", h->fn->symbol, h->path);
	return 0;
failed:
	h->state = HOOK_FAILED;
	return -1;
}

void activate_log_failure(const struct hook *h)
{
	if (h->state == HOOK_FAILED)
		hook_log_refusal(h);
	/* a prototype the debug info contradicts is an error of the config */
	if (h->state == HOOK_FAILED && h->refusal == REFUSE_PROTO_MISMATCH && env_flag("MEMO_STRICT")) {
		log_error("a prototype contradicts the debug info; exiting (MEMO_STRICT)");
		_exit(2);
	}
	else if (h->state == HOOK_UNRESOLVED)
		log_warn("'%s' (%s:%d) [%s]: %s; its calls are not memoized unless a later dlopen "
			 "loads it", h->fn->symbol, h->fn->file, h->fn->line,
			 hook_refusal_name(h->refusal), h->why);
}

void activate_report(const struct hook *h)
{
	if (h->state == HOOK_UNRESOLVED)
		run_report_line(4, (const char *const[]){ "missing", h->fn->symbol,
							  hook_refusal_name(h->refusal), h->why });
	else	/* found, memoized or refused (a refusal is said here already) */
		run_report_line(2, (const char *const[]){ "found", h->fn->symbol });
}

/* got.c's callback after a dlopen: a symbol still missing stays quiet. */
void activate_after_dlopen(struct hook *h)
{
	if (activate_hook(h) < 0 && h->state == HOOK_FAILED)
		activate_log_failure(h);
	if (h->state != HOOK_UNRESOLVED)
		activate_report(h);
}

/*
 * Whether h's code is still the load it was activated in: its object still
 * loaded, the same link_map at the same bias, and (entry-patched) the jump
 * still at its entry, and the build-id it had. A dlclose seen by got.c's
 * wrapper fails the first (nothing is mapped there yet). One reached
 * otherwise is seen at the next dlopen's pass: the loader may have put the
 * new load at the same address with the same link_map, and then an entry
 * patch is gone, or the build-id differs. Left unseen: a GOT-only hook of
 * an object without build-id, unloaded by such a dlclose and reloaded
 * from another build at the same address.
 */
static bool still_loaded(const struct hook *h)
{
	const struct link_map *lm = util_object_at(h->target);
	uint8_t id[sizeof h->loaded_id], len;

	if (!lm || lm != h->object || lm->l_addr != h->base || !inline_intact(h))
		return false;
	loaded_build_id(h, id, &len);
	return len == h->loaded_id_len && !memcmp(id, h->loaded_id, len);
}

/* Retire h: nothing of its old code's state may serve a call again (its
 * identity, key prefix, results in l1, entry patch); published
 * HOOK_UNRESOLVED first, so the pass after the next dlopen activates it
 * anew, from the object then loaded. Its closure is kept (still valid code;
 * the GOT slots of the new objects may use it). */
static void retire(struct hook *h)
{
	__atomic_store_n(&h->state, HOOK_UNRESOLVED, __ATOMIC_RELEASE);
	__atomic_store_n(&h->primed, 0, __ATOMIC_RELEASE);
	log_info("'%s': '%s' was unloaded; memoized anew when it is loaded again", h->fn->symbol,
		 h->path);
	inline_retire(h);
	l1_forget(h);
	h->reloads++;
	h->object = NULL;
	h->got_slots = 0;
	h->nglobals = 0;
	memset(h->identity, 0, sizeof h->identity);
	h->refusal = REFUSE_NONE;
	h->why[0] = '\0';
}

void activate_recheck(struct hook *h)
{
	if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) == HOOK_ACTIVE && !still_loaded(h))
		retire(h);
}

/* on_copy's state: the hook whose copies sym_copies lists. */
struct copy_walk {
	const struct hook *found;
	bool full_said;
};

/* sym_copies found a copy at `path`: unless a hook of that function already
 * stands for it, a new hook, found in that object only (sym_resolve),
 * activated as any other; its stats are its own (engine.c names the copy). */
static void on_copy(void *ctx, const char *path)
{
	struct copy_walk *cw = ctx;
	const struct function_config *fn = cw->found->fn;
	struct hook *c;
	int i;

	for (i = 0; i < nhooks; i++)
		if (hooks[i].fn == fn && !strcmp(hooks[i].path, path))
			return;
	if (nhooks == hooks_cap) {
		if (!cw->full_said)
			log_warn("'%s': its copy in '%s' is not memoized: no room for more than %d "
				 "copies of configured functions", fn->symbol, path, hooks_cap);
		cw->full_said = true;
		return;
	}
	c = &hooks[nhooks];
	c->fn = fn;
	c->index = nhooks;
	c->stats = &hooks_stats[nhooks];
	c->path = sym_keep_path(path);	/* kept first: `path` is the walk's */
	__atomic_store_n(&nhooks, nhooks + 1, __ATOMIC_RELEASE);
	log_info("'%s' is defined in '%s' too: that copy is memoized on its own", fn->symbol,
		 c->path);
	if (activate_hook(c) < 0)
		activate_log_failure(c);
}

void activate_copies(void)
{
	struct copy_walk cw = { 0 };
	int i, j;

	/* for each configured function (hooks[i].fn for i < nfuncs), its
	 * first active hook, from which sym_copies starts */
	for (i = 0; i < memo_cfg->nfuncs && i < nhooks; i++)
		for (j = 0; j < nhooks; j++)
			if (hooks[j].fn == hooks[i].fn &&
			    __atomic_load_n(&hooks[j].state, __ATOMIC_ACQUIRE) == HOOK_ACTIVE) {
				cw.found = &hooks[j];
				sym_copies(&hooks[j], on_copy, &cw);
				break;
			}
}
