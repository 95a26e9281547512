#include "patch/inline.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <linux/membarrier.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/platform/x86.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "find/elf_peek.h"
#include "call/entry.h"
#include "config/types.h"
#include "patch/decode_cache.h"
#include "patch/entry_cpu.h"
#include "patch/near.h"
#include "patch/x86.h"

#define PAGE 4096		/* pages of the code being patched */
#define JMP_LEN 5		/* e9 rel32 */

/* Each hook's area of a near page: the stub, the trampoline, two slots, and
 * the hook's libffi closure, all written before the page becomes read+exec
 * (W^X). A hook patched after a dlopen has a page of its own; start-up's
 * batch (inline_batch_begin) puts eight in a page, its pages in a row where
 * they reach: one mmap and one mprotect for the batch, and a page fault for
 * each page it writes (areas of 1 KiB, ~450 bytes of them never used, made
 * ten functions write three pages). A trampoline holds endbr64 (4 bytes),
 * at most 5 displaced instructions of at most 16 bytes each as relocated,
 * and a 14-byte jump back: 98 of its 368 bytes at most (x86_relocate asks
 * for 32 free before each instruction). */
#define STUB_OFF 0
#define TRAMP_OFF 64
#define TRAMP_MAX 368
#define SLOT_DESC 432		/* address of the hook's struct inline_desc */
#define SLOT_ENTRY 440		/* address of memo_inline_entry */
#define CLOSURE_OFF 448
#define AREA 512
_Static_assert(TRAMP_OFF + TRAMP_MAX <= SLOT_DESC, "the trampoline ends before the slots");
_Static_assert(CLOSURE_OFF + sizeof(ffi_closure) <= AREA, "the closure fits the area");
_Static_assert(NEAR_PAGE % AREA == 0, "areas tile the page");
#define MAX_CALLS 4		/* relocated calls recorded per trampoline */
#define MAX_NEED 8		/* addresses a near page must reach */

struct inline_patch {
	struct inline_desc desc;
	struct hook *h;
	uint8_t *page;		/* near page: stub, trampoline, slots */
	uint8_t *at;		/* patched bytes: target, or target + 4 after endbr64 */
	int n;			/* bytes displaced into the trampoline (>= JMP_LEN) */
	int first_len;		/* the length of the first of them */
	int installed;
	int retired;		/* its object was unloaded: the hook may be patched anew */
	int batched;		/* its area is in a page of start-up's batch */
	int pending;		/* batched, and its jump waits for inline_batch_end */
	/* where the relocated calls among them return to, as page offsets: a
	 * crash below one shows such a return address on the stack */
	uint16_t call_ret[MAX_CALLS];
	int ncalls;
	struct inline_patch *next;
};

/* Every prepared patch, newest first. Written under runtime_lock (prepend with
 * a release store); read lock-free by the crash handler (crash.c, through
 * inline_code_at and inline_call_returns_to). Never freed once installed:
 * code may still run through it. */
static struct inline_patch *patches;
/* Some trampoline holds a relocated call: the crash handler scans the stack. */
static int any_call_relocated;

/* Start-up's batch (inline_batch_begin to inline_batch_end): the page
 * being filled, read+write until the batch ends, and the bytes of it taken;
 * the pages reserved in a row for the batch (near_run, tried once) and not
 * started yet, [run_next, run_end), and how many to reserve. */
static bool in_batch;
static uint8_t *batch_page;
static size_t batch_used;
static uint8_t *run_next, *run_end;
static int run_pages;
static bool run_tried;
/* In the batch, the dynamic section of the object dynsym_size read last
 * (ten functions of libc: one read, not ten): no object is unloaded before
 * main. Outside it, read each time, a dlclose may come between. Aligned as
 * its type asks: with the small statics start-up writes (identity.c). */
static struct {
	const struct link_map *lm;
	bool ok;
	struct elf_peek_dyn d;
} batch_dyn __attribute__((aligned(8)));

/* The batch's next page within reach of need[]: the next of its run, else
 * one of its own. */
static uint8_t *batch_new_page(const uintptr_t *need, int nneed)
{
	uint8_t *page;

	if (!run_tried && run_pages > 1) {
		run_tried = true;
		if ((run_next = near_run(need, nneed, run_pages)))
			run_end = run_next + (size_t)run_pages * NEAR_PAGE;
	}
	if (run_next < run_end && near_reaches((uintptr_t)run_next, need, nneed)) {
		page = run_next;
		run_next += NEAR_PAGE;
		return page;
	}
	return near_page(need, nneed);
}

/* An area for a hook's stub page, within rel32 reach of need[]: a page of
 * its own outside the batch; in it, the next area of the batch's page. */
static uint8_t *area_get(const uintptr_t *need, int nneed)
{
	uint8_t *page;

	if (in_batch && batch_page && batch_used < NEAR_PAGE &&
	    near_reaches((uintptr_t)batch_page, need, nneed)) {
		batch_used += AREA;
		return batch_page + batch_used - AREA;
	}
	if (!in_batch)
		return near_page(need, nneed);
	if (!(page = batch_new_page(need, nneed)))
		return NULL;
	memset(page, 0xcc, NEAR_PAGE);	/* int3 in the areas left unused */
	batch_page = page;
	batch_used = AREA;
	return page;
}

/* Gives back the area area_get returned last (a prepare that failed). */
static void area_put(uint8_t *area)
{
	if (!in_batch) {
		munmap(area, NEAR_PAGE);
		return;
	}
	batch_used -= AREA;
	if (!batch_used) {
		munmap(batch_page, NEAR_PAGE);
		batch_page = NULL;
	}
}

/* entry.S's entry point, which every stub jumps to. */
extern char memo_inline_entry[] __attribute__((visibility("hidden")));

/* ---- extent -------------------------------------------------------- */

/* The extent of the function at h->target, and of its NAME.cold part (GCC's
 * -freorder-blocks-and-partition moves unlikely blocks there; they may branch
 * back anywhere in the function). */
struct extent { size_t size; uintptr_t cold; size_t cold_size; };

/* The size the object's .dynsym gives the function, found by its name in
 * the loader's hash table (as mapped): 0 when the name leads elsewhere (an
 * IFUNC's implementation, another version, a C++ name as configured). */
static size_t dynsym_size(const struct hook *h)
{
	const struct link_map *lm = h->object;
	const ElfW(Sym) *sym;

	if (!in_batch || batch_dyn.lm != lm) {
		batch_dyn.lm = in_batch ? lm : NULL;
		batch_dyn.ok = lm && elf_peek_dynamic(lm->l_ld, lm->l_addr, &batch_dyn.d);
	}
	if (!batch_dyn.ok ||
	    !(sym = elf_peek_lookup(&batch_dyn.d, h->sym_name ? h->sym_name : h->fn->symbol)) ||
	    lm->l_addr + sym->st_value != (uintptr_t)h->target)
		return 0;
	return sym->st_size;
}

static int func_extent(struct hook *h, struct extent *e)
{
	memset(e, 0, sizeof *e);
	/* Without .symtab there is no .cold part to find, and the loader's
	 * .dynsym entry gives the size: no ELF image to build. By name first:
	 * dladdr1 walks the whole symbol table (~10 us in libc). */
	if (h->dynsym_only) {
		const ElfW(Sym) *sym = NULL;
		Dl_info info;
		if ((e->size = dynsym_size(h)))
			return 0;
		if (dladdr1(h->target, &info, (void **)&sym, RTLD_DL_SYMENT) && sym &&
		    info.dli_saddr == h->target && sym->st_size) {
			e->size = sym->st_size;
			return 0;
		}
		return hook_refuse(h, REFUSE_NO_SIZE, "no symbol with a size at its address in "
				   "'%s': cannot check the function for branches into the "
				   "patched bytes", h->path);
	}
	/* the .symtab's answer, found by symbols.c (elf_image_extent) */
	if (!h->extent_size)
		return hook_refuse(h, REFUSE_NO_SIZE, "no symbol with a size at its address in "
				   "'%s': cannot check the function for branches into the "
				   "patched bytes", h->path);
	e->size = h->extent_size;
	if (h->extent_cold_size) {
		e->cold = h->base + h->extent_cold;
		e->cold_size = h->extent_cold_size;
	}
	return 0;
}

/* ---- prepare -------------------------------------------------------- */

/* Where the psABI puts each of the prototype's arguments (6 integer and 8
 * vector registers, long double in memory), as offsets in entry.S's frame;
 * the bytes of the caller's stack-passed arguments, rounded to 16 so entry.S
 * calls on an aligned stack; and which return registers carry the result. */
static void frame_of(const struct proto *p, struct inline_desc *d)
{
	/* rdi, rsi, rdx, rcx, r8, r9 by their push order in entry.S */
	static const int gpr_push[6] = { 7, 6, 5, 4, 8, 9 };
	int nint = 0, nsse = 0;
	uint64_t bytes = 0;

	for (int i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		uint64_t at;
		if (a->kind == ARG_SCALAR && a->type.cls == SC_FLOAT) {
			if (a->type.size == 16) {
				bytes = (bytes + 15) / 16 * 16 + 16;
				at = FRAME_STACK_ARGS + bytes - 16;
			} else if (nsse < 8) {
				at = FRAME_XMM0 + 8 * nsse++;
			} else {
				at = FRAME_STACK_ARGS + bytes;
				bytes += 8;
			}
		} else if (nint < 6) {
			at = FRAME_GPR(gpr_push[nint++]);
		} else {
			at = FRAME_STACK_ARGS + bytes;
			bytes += 8;
		}
		d->arg_at[i] = (uint16_t)at;
	}
	d->stack_bytes = (bytes + 15) / 16 * 16;
	d->keep = 0;
	if (p->ret_kind == RET_VOID || (p->ret_kind == RET_SCALAR && p->ret.cls == SC_VOID))
		return;
	if (p->ret_kind == RET_SCALAR && p->ret.cls == SC_FLOAT)
		d->keep = p->ret.size == 16 ? 0 : KEEP_XMM0;	/* long double: st(0) */
	else
		d->keep = KEEP_RAX;
}

/* Structs and complex values (config/types.h) take registers and stack as
 * the psABI classifies them, which libffi did at closure_prepare: the
 * stack-argument bytes are its cif's, the result's registers the type's.
 * Their calls are never entry hits (closure.c), so arg_at is not read. */
static void aggregate_frame(const struct hook *h, struct inline_desc *d)
{
	const struct proto *p = &h->fn->proto;
	const struct type_def *r = p->ret_kind == RET_SCALAR ? p->ret.def : NULL;
	bool any = r != NULL;

	for (int i = 0; i < p->nargs; i++)
		any |= p->args[i].kind == ARG_SCALAR && p->args[i].type.def;
	if (!any)
		return;
	d->stack_bytes = (h->cif.bytes + 15) / 16 * 16;
	if (!r)
		return;
	if (r->ret == TYPE_RET_MEMORY)
		d->keep = KEEP_RAX;	/* the caller's buffer, as it passed it */
	else if (r->ret == TYPE_RET_X87)
		d->keep = 0;		/* st(0), st(1): the x87 stack is never restored */
	else
		d->keep = (r->ret_regs & TYPE_REG_RAX ? KEEP_RAX : 0) |
			  (r->ret_regs & TYPE_REG_RDX ? KEEP_RDX : 0) |
			  (r->ret_regs & TYPE_REG_XMM0 ? KEEP_XMM0 : 0) |
			  (r->ret_regs & TYPE_REG_XMM1 ? KEEP_XMM1 : 0);
}

/* The hook's live patch; a retired one stays listed for the crash handler. */
static struct inline_patch *patch_of(const struct hook *h)
{
	for (struct inline_patch *p = __atomic_load_n(&patches, __ATOMIC_ACQUIRE); p; p = p->next)
		if (p->h == h && !p->retired)
			return p;
	return NULL;
}

int inline_patched(const struct hook *h)
{
	struct inline_patch *p = patch_of(h);
	return p && p->installed;
}

bool inline_intact(const struct hook *h)
{
	struct inline_patch *p = patch_of(h);
	uint8_t jmp[JMP_LEN];

	if (!p || !p->installed)
		return true;
	jmp[0] = 0xe9;
	x86_put_rel32(jmp, 1, (uintptr_t)p->at + JMP_LEN, (uintptr_t)p->page + STUB_OFF);
	return !memcmp(p->at, jmp, JMP_LEN);
}

void inline_retire(const struct hook *h)
{
	struct inline_patch *p = patch_of(h);

	if (p)
		p->retired = 1;
}

/* Every check inline_prepare makes before it allocates: the extent, the
 * endbr64, the length, the instructions the jump displaces (decoded into
 * *d from *at; need[] gets what they address) and a scan of the whole
 * function. A plan an earlier process made from the very same bytes
 * (decode_cache.c) stands for the decode and the scan. 0, or -1 refused
 * (hook_refuse). */
static int check(struct hook *h, struct extent *e, uintptr_t *at, struct x86_entry *d,
		 uintptr_t *need, int *nneed)
{
	static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	uintptr_t tgt = (uintptr_t)h->target;
	struct decode_key key;
	int skip = 0;

	if (func_extent(h, e) < 0)
		return -1;
	if (e->size >= 4 && !memcmp((const void *)tgt, endbr64, 4))
		skip = 4;
	if (e->size < (size_t)skip + JMP_LEN)
		return hook_refuse(h, REFUSE_TOO_SHORT, "%zu-byte function is shorter than the "
				   "%d-byte jump%s", e->size, JMP_LEN, skip ? " after its endbr64" : "");
	*at = tgt + (uintptr_t)skip;

	if (!decode_cache_get(h, tgt, e->size, e->cold, e->cold_size, *at, &key, d)) {
		if (x86_displaced(h, *at, e->size - (size_t)skip, JMP_LEN, d) < 0)
			return -1;
		if (x86_scan(h, "", tgt, e->size, *at, d->n) < 0 ||
		    (e->cold && x86_scan(h, ".cold", e->cold, e->cold_size, *at, d->n) < 0))
			return -1;
		decode_cache_put(h, &key, d);
	}
	/* what the displaced instructions must still reach */
	*nneed = 0;
	need[(*nneed)++] = tgt;
	x86_needs(d, *at, need, nneed, MAX_NEED);
	return 0;
}

int inline_check(struct hook *h)
{
	struct extent e;
	struct x86_entry d;
	uintptr_t at, src, need[MAX_NEED];
	uint8_t tramp[TRAMP_MAX];
	int nneed, pos = 4, call_end;

	if (check(h, &e, &at, &d, need, &nneed) < 0)
		return -1;
	/* Relocate as if the trampoline sat right after the function: what
	 * cannot be relocated at any distance is refused here too. */
	src = at;
	for (int i = 0; i < d.ninsn && pos >= 0; src += d.insn[i++].len)
		pos = x86_relocate(h, src, &d.insn[i], tramp, pos, TRAMP_MAX,
				   (uintptr_t)h->target + e.size, &call_end);
	return pos < 0 ? -1 : 0;
}

/* The callers whose vector state the entry saves (entry.h caller_lo):
 * those in the hooked function's object, where GCC's IPA-RA may keep values
 * in vector registers across a call. Once a trampoline holds a relocated
 * call, every caller: that call returns into a near page, not into the
 * object whose code it came from and relies on, as IPA-RA may, what its
 * callee leaves alone. */
static void caller_range(struct inline_desc *d, const struct hook *h)
{
	bool known = !any_call_relocated && h->code_hi > h->code_lo;

	/* every_caller_saved changes a live desc's range while entries read
	 * it (entry.S: caller_lo, then caller_span). The span goes first, the
	 * start after it (release): an entry that reads the new start reads
	 * the new span too, and one that reads the old start with the new
	 * span saves every caller from that start up, as the old range did
	 * and more. The other order let an entry see [0, old span), which
	 * leaves out the object's own callers. */
	__atomic_store_n(&d->caller_span, known ? h->code_hi - h->code_lo : UINTPTR_MAX,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&d->caller_lo, known ? h->code_lo : 0, __ATOMIC_RELEASE);
}

/* A first relocated call: every patch's entry saves every caller's vector
 * state from now (before the trampoline that holds it is installed). */
static void every_caller_saved(void)
{
	any_call_relocated = 1;
	for (struct inline_patch *q = patches; q; q = q->next)
		caller_range(&q->desc, q->h);
}

int inline_prepare(struct hook *h, int (*write_closure)(struct hook *h, void *at))
{
	static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	struct extent e;
	struct x86_entry d;
	uintptr_t at, src, need[MAX_NEED];
	uint8_t tramp[TRAMP_MAX];
	int nneed = 0, n, pos;
	struct inline_patch *p;

	if (patch_of(h))
		return hook_refuse(h, REFUSE_ALREADY_PATCHED, "already entry-patched");
	entry_cpu_init();	/* before the first stub can enter entry.S */
	if (check(h, &e, &at, &d, need, &nneed) < 0)
		return -1;
	n = d.n;

	p = calloc(1, sizeof *p);
	if (!p)
		return hook_refuse(h, REFUSE_NO_MEMORY, "out of memory");
	p->page = area_get(need, nneed);
	if (!p->page) {
		hook_refuse(h, REFUSE_OUT_OF_REACH, "no free page within 2 GiB of the function "
			    "for its stub and trampoline");
		free(p);
		return -1;
	}

	/* Trampoline: endbr64 (h->orig is called indirectly), the displaced
	 * instructions relocated, and a jump back to the first one not moved. */
	uintptr_t run = (uintptr_t)p->page + TRAMP_OFF;
	memcpy(tramp, endbr64, 4);
	pos = 4;
	p->first_len = d.insn[0].len;
	src = at;
	for (int i = 0; i < d.ninsn; src += d.insn[i++].len) {
		int call_end = 0;

		pos = x86_relocate(h, src, &d.insn[i], tramp, pos, TRAMP_MAX, run, &call_end);
		if (call_end && p->ncalls < MAX_CALLS) {
			p->call_ret[p->ncalls++] = (uint16_t)(TRAMP_OFF + call_end);
			if (!any_call_relocated)
				every_caller_saved();
		}
		if (pos < 0) {
			area_put(p->page);
			free(p);
			return -1;
		}
	}
	tramp[pos] = 0xe9;
	if (x86_put_rel32(tramp, pos + 1, run + (uintptr_t)pos + 5, at + (uintptr_t)n) < 0)
		pos = x86_put_abs_jmp(tramp, pos, at + (uintptr_t)n);
	else
		pos += 5;
	memset(p->page, 0xcc, AREA);	/* int3 around the code */
	memcpy(p->page + TRAMP_OFF, tramp, (size_t)pos);

	/* Stub: push [rip+SLOT_DESC]; jmp [rip+SLOT_ENTRY]. Every register
	 * arrives at the entry untouched. */
	uint8_t *s = p->page + STUB_OFF;
	int32_t d1 = SLOT_DESC - (STUB_OFF + 6), d2 = SLOT_ENTRY - (STUB_OFF + 12);
	s[0] = 0xff; s[1] = 0x35; memcpy(s + 2, &d1, 4);
	s[6] = 0xff; s[7] = 0x25; memcpy(s + 8, &d2, 4);
	uintptr_t slot_desc = (uintptr_t)&p->desc, slot_entry = (uintptr_t)memo_inline_entry;
	memcpy(p->page + SLOT_DESC, &slot_desc, 8);
	memcpy(p->page + SLOT_ENTRY, &slot_entry, 8);
	if (write_closure(h, p->page + CLOSURE_OFF) < 0) {
		area_put(p->page);
		free(p);
		return -1;
	}
	/* a batch's page becomes read+exec at its end, whole */
	p->batched = in_batch;
	if (!in_batch && mprotect(p->page, NEAR_PAGE, PROT_READ | PROT_EXEC) < 0) {
		hook_refuse(h, REFUSE_MPROTECT, "cannot make the trampoline page executable: %s",
			    strerror(errno));
		munmap(p->page, NEAR_PAGE);
		free(p);
		return -1;
	}

	if (h->fn) {
		frame_of(&h->fn->proto, &p->desc);
		aggregate_frame(h, &p->desc);
	}
	p->desc.hit = h->entry_hit;
	p->desc.call = h->fn ? h->entry_call : NULL;	/* arg_at is frame_of's */
	p->desc.h = h;
	caller_range(&p->desc, h);
	p->h = h;
	p->at = (uint8_t *)at;
	p->n = n;
	p->next = patches;
	__atomic_store_n(&patches, p, __ATOMIC_RELEASE);
	h->orig = p->page + TRAMP_OFF;
	h->entry = p->page + CLOSURE_OFF;
	return 0;
}

/* ---- install -------------------------------------------------------- */

/* Set by inline_batch_begin: the thread count of the batch's first install,
 * or 0. */
static int batch_threads;

void inline_batch_begin(int nhooks)
{
	in_batch = true;
	batch_threads = 0;
	run_pages = (nhooks + NEAR_PAGE / AREA - 1) / (NEAR_PAGE / AREA);
	run_tried = false;
	run_next = run_end = NULL;
	batch_dyn.lm = NULL;
	batch_dyn.ok = false;
}

/* In a batch, read once. unshare(CLONE_THREAD) succeeds, changing
 * nothing, exactly when the caller is the only thread (the kernel refuses it
 * with EINVAL otherwise): one system call, and it needs no /proc. Where a
 * seccomp filter refuses it, /proc/self/status tells. */
int inline_threads_running(void)
{
	char buf[4096];
	int fd, n = 2;
	ssize_t r;

	if (batch_threads)
		return batch_threads;
	if (unshare(CLONE_THREAD) == 0)
		n = 1;
	else if (errno != EINVAL && (fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)) >= 0) {
		r = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (r > 0) {
			buf[r] = 0;
			char *t = strstr(buf, "\nThreads:");
			if (t)
				n = atoi(t + 9);
		}
	}
	if (in_batch)
		batch_threads = n;
	return n;
}

/* From glibc's record of the CPU: a CPUID is a VM exit under a hypervisor. */
static bool cx16(void)
{
	return CPU_FEATURE_PRESENT(CMPXCHG16B);
}

/* The jump at p->at, its page writable: written so that another thread
 * fetches the old bytes or the new ones, never a mix (inline_install's
 * checks chose the entries where that can be done). */
static void write_jump(const struct inline_patch *p, int threads)
{
	uintptr_t at = (uintptr_t)p->at;
	uint8_t jmp[JMP_LEN];

	jmp[0] = 0xe9;
	x86_put_rel32(jmp, 1, at + JMP_LEN, (uintptr_t)p->page + STUB_OFF);
	if ((at & 7) + JMP_LEN <= 8) {
		/* One aligned 8-byte store: another core fetches the old bytes or
		 * the new ones, never a mix. */
		uint64_t *q = (uint64_t *)(at & ~(uintptr_t)7), v = *q;
		memcpy((uint8_t *)&v + (at & 7), jmp, JMP_LEN);
		__atomic_store_n(q, v, __ATOMIC_SEQ_CST);
	} else if (threads <= 1) {
		memcpy((void *)at, jmp, JMP_LEN);	/* nobody else runs */
	} else {	/* (at & 15) + JMP_LEN <= 16 and cx16, checked */
		/* After endbr64 the bytes are 4..8 of a 16-byte aligned block:
		 * one locked 16-byte compare-and-swap, within one cache line,
		 * so again old bytes or new, never a mix. */
		unsigned __int128 *q = (unsigned __int128 *)(at & ~(uintptr_t)15), old = *q, v;
		bool ok;
		do {
			v = old;
			memcpy((uint8_t *)&v + (at & 15), jmp, JMP_LEN);
			__asm__ volatile("lock cmpxchg16b %1"
					 : "=@ccz"(ok), "+m"(*q), "+A"(old)
					 : "b"((uint64_t)v), "c"((uint64_t)(v >> 64))
					 : "memory");
		} while (!ok);
	}
}

static uintptr_t page_of(const struct inline_patch *p)
{
	return (uintptr_t)p->at & ~(uintptr_t)(PAGE - 1);
}

static uintptr_t page_after(const struct inline_patch *p)
{
	return ((uintptr_t)p->at + JMP_LEN + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
}

/* The jumps of v[0..n), sorted by address, their code pages one run (the
 * pages from the first to the last, all read+exec): made writable once
 * (never dropping X: another thread may be running there), written, then
 * read+exec again. 0, or -1 with each refused (hook_refuse,
 * h->orig reset to h->target). */
static int install_run(struct inline_patch **v, int n, int threads)
{
	static int membarrier_ok = -1;
	uintptr_t lo = page_of(v[0]), hi = page_after(v[n - 1]);
	int i;

	/* registered when first needed: a start-up alone in its process
	 * (most) has no other core to tell */
	if (threads > 1 && membarrier_ok < 0)
		membarrier_ok = syscall(SYS_membarrier,
					MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0;
	if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE | PROT_EXEC) < 0) {
		for (i = 0; i < n; i++) {
			hook_refuse(v[i]->h, REFUSE_MPROTECT, "cannot make its code writable: %s",
				    strerror(errno));
			v[i]->h->orig = v[i]->h->target;
		}
		return -1;
	}
	for (i = 0; i < n; i++) {
		write_jump(v[i], threads);
		v[i]->installed = 1;
		v[i]->pending = 0;
	}
	if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_EXEC) < 0)
		log_error("'%s': its code page %#lx-%#lx stays writable: %s", v[0]->h->fn->symbol,
			  (unsigned long)lo, (unsigned long)hi, strerror(errno));
	/* Make every core drop what it may have fetched of the old bytes. */
	if (threads > 1 && membarrier_ok > 0)
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
	return 0;
}

int inline_install(struct hook *h)
{
	struct inline_patch *p = patch_of(h);
	uintptr_t at;
	int threads;

	if (!p || p->installed || p->pending) {
		if (p)
			return hook_refuse(h, REFUSE_ALREADY_PATCHED, "already entry-patched");
		return hook_refuse(h, REFUSE_NOT_PREPARED, "not prepared for entry patching");
	}
	at = (uintptr_t)p->at;
	p->desc.entry = h->entry;
	threads = inline_threads_running();
	/* Every refusal before a page is made writable. A thread paused on an
	 * instruction boundary inside the 5 bytes (after a 1-byte push, say)
	 * would resume in the middle of the jump and run its displacement as
	 * code; no thread can be inside an instruction that the jump replaces
	 * whole. Other threads' positions cannot be seen without stopping
	 * them, so only such entries are patched while threads run. */
	if (threads > 1 && p->first_len < JMP_LEN) {
		hook_refuse(h, REFUSE_NOT_ATOMIC, "other threads are running and its first "
			    "instruction is %d bytes: a thread paused after it would resume "
			    "inside the %d-byte jump", p->first_len, JMP_LEN);
		h->orig = h->target;
		return -1;
	}
	if ((at & 7) + JMP_LEN > 8 && threads > 1 && !((at & 15) + JMP_LEN <= 16 && cx16())) {
		hook_refuse(h, REFUSE_NOT_ATOMIC, "its entry straddles a 16-byte boundary and other "
			    "threads are running: the jump cannot be written atomically");
		h->orig = h->target;
		return -1;
	}
	if (p->batched) {	/* its stub is not executable yet: inline_batch_end */
		p->pending = 1;
		return 0;
	}
	return install_run(&p, 1, threads);
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)(*(struct inline_patch *const *)a)->at;
	uintptr_t y = (uintptr_t)(*(struct inline_patch *const *)b)->at;

	return x < y ? -1 : x > y;
}

/* Whether a batched patch, not retired, has its area in [lo, hi). */
static bool batch_holds(uintptr_t lo, uintptr_t hi)
{
	for (struct inline_patch *p = patches; p; p = p->next)
		if (p->batched && !p->retired && (uintptr_t)p->page >= lo && (uintptr_t)p->page < hi)
			return true;
	return false;
}

/* The pages of the batch's areas read+exec, once (W^X: nothing in them ran
 * yet), pages in a row under one mprotect (a run, near_run: one for ten
 * hooks, not three). A hook whose page cannot be has no stub and no
 * closure: it is told to `unpatched`, h->entry NULL. */
static void batch_seal(void (*unpatched)(struct hook *h))
{
	uintptr_t lo = 0;

	for (;;) {
		uintptr_t start = UINTPTR_MAX, end;

		/* the lowest page at or above lo that holds an area */
		for (struct inline_patch *p = patches; p; p = p->next) {
			uintptr_t page = (uintptr_t)p->page & ~(uintptr_t)(NEAR_PAGE - 1);
			if (p->batched && !p->retired && page >= lo && page < start)
				start = page;
		}
		if (start == UINTPTR_MAX)
			return;
		for (end = start + NEAR_PAGE; batch_holds(end, end + NEAR_PAGE); end += NEAR_PAGE)
			;
		lo = end;
		if (mprotect((void *)start, end - start, PROT_READ | PROT_EXEC) == 0)
			continue;
		/* every area of those pages: none is written to a GOT slot yet */
		for (struct inline_patch *q = patches; q; q = q->next)
			if (q->batched && !q->retired && (uintptr_t)q->page >= start &&
			    (uintptr_t)q->page < end) {
				hook_refuse(q->h, REFUSE_MPROTECT, "cannot make the trampoline page "
					    "executable: %s", strerror(errno));
				q->retired = 1;
				q->pending = 0;
				q->h->orig = q->h->target;
				q->h->entry = NULL;
				unpatched(q->h);
			}
	}
}

/* The loaded objects' text segments (PT_LOAD, executable, not writable),
 * for start-up's batch: the jumps in one segment are written under one
 * protection change of the pages from the first to the last (libc's ten:
 * 2 mprotects, not 10), as every page between is read+exec as the run's
 * restore leaves it. Past TEXT_SEGS segments, runs are adjacent pages. */
#define TEXT_SEGS 64
struct text_segs {
	int n;
	uintptr_t lo[TEXT_SEGS], hi[TEXT_SEGS];
};

static int text_segs_add(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct text_segs *s = arg;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum && s->n < TEXT_SEGS; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && !(ph->p_flags & PF_W)) {
			s->lo[s->n] = info->dlpi_addr + ph->p_vaddr;
			s->hi[s->n++] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		}
	}
	return 0;
}

/* Whether b's jump may join the run that a's ends: their code pages touch,
 * or both lie in one text segment. */
static bool same_run(const struct text_segs *s, const struct inline_patch *a,
		     const struct inline_patch *b)
{
	uintptr_t x = (uintptr_t)a->at, y = (uintptr_t)b->at + JMP_LEN;

	if (page_of(b) <= page_after(a))
		return true;
	for (int k = 0; k < s->n; k++)
		if (x >= s->lo[k] && y <= s->hi[k])
			return true;
	return false;
}

void inline_batch_end(void (*unpatched)(struct hook *h))
{
	struct inline_patch **v, *p;
	struct text_segs segs = { 0 };
	int n = 0, i, j, threads = batch_threads ? batch_threads : 2;

	batch_seal(unpatched);
	for (p = patches; p; p = p->next)
		n += p->pending && !p->retired;
	v = n ? calloc((size_t)n, sizeof *v) : NULL;
	n = 0;
	for (p = patches; p; p = p->next)
		if (p->pending && !p->retired) {
			if (v)
				v[n++] = p;
			else if (install_run(&p, 1, threads) < 0)	/* no memory: one by one */
				unpatched(p->h);
		}
	if (n) {
		qsort(v, (size_t)n, sizeof *v, by_address);	/* runs by segment */
		dl_iterate_phdr(text_segs_add, &segs);
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && same_run(&segs, v[j - 1], v[j]); j++)
			;
		if (install_run(v + i, j - i, threads) < 0)
			for (int k = i; k < j; k++)
				unpatched(v[k]->h);
	}
	free(v);
	if (run_next < run_end)	/* reserved for hooks that were not entry-patched */
		munmap(run_next, (size_t)(run_end - run_next));
	run_next = run_end = NULL;
	in_batch = false;
	batch_page = NULL;
	batch_threads = 0;
}

/* ---- for the crash handler (crash.c) -------------------------------- */

const struct hook *inline_code_at(uintptr_t ip, const char **part, unsigned long *off)
{
	for (struct inline_patch *p = __atomic_load_n(&patches, __ATOMIC_ACQUIRE); p; p = p->next) {
		uintptr_t b = (uintptr_t)p->page;
		/* the closure's code past the slots is libffi's, not relocated */
		if (ip >= b && ip < b + SLOT_DESC) {
			*part = ip < b + TRAMP_OFF ? "stub" : "trampoline";
			*off = (unsigned long)(ip - b - (ip < b + TRAMP_OFF ? STUB_OFF : TRAMP_OFF));
			return p->h;
		}
	}
	return NULL;
}

bool inline_call_returns_to(uintptr_t ret)
{
	for (struct inline_patch *p = __atomic_load_n(&patches, __ATOMIC_ACQUIRE); p; p = p->next)
		for (int k = 0; k < p->ncalls; k++)
			if (ret == (uintptr_t)p->page + p->call_ret[k])
				return true;
	return false;
}

bool inline_calls_relocated(void)
{
	return any_call_relocated;
}
