/*
 * prime: what only a call needs, done at a hook's first call, so that a
 * process which never calls a configured function pays nothing for it:
 * open the store (the first time any hook is called), the hook's code
 * identity and `globals`, its flush generation, its key prefix, and its
 * explain record. Calls store, records, find (elf, identity), explain, key,
 * log, sigframe.
 * Runs under runtime_lock (guard taken), from the call path, on a stack of
 * its own: the caller's may be a 16 KiB thread's, a coroutine's or a signal
 * handler's, and opening the store and computing an identity take tens of
 * KiB (identity.c: about 300 bytes a level of its walk). Never from a signal
 * handler that sigframe.h finds: priming allocates.
 */
#include "call/prime.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/sigframe.h"
#include "base/util.h"
#include "call/explain.h"
#include "call/runtime.h"
#include "find/elf.h"
#include "find/identity.h"
#include "store/key.h"
#include "store/records.h"
#include "store/store.h"

/* Whether the store was opened (or tried), under runtime_lock. */
static int store_tried;

/* Identities are cached per build-id beside the entries (or in the default
 * cache folder when only memcached is configured), and explain.c's records
 * beside them: in folders that follow the store's folder rules
 * (store_folder_root), so a folder the store refuses (another user's, or
 * writable by others) gets nothing written into it; identities are then
 * recomputed in each process. The configured folder's refusal was said by
 * the store already. */
static void identity_dir_in(const char *dir, bool said)
{
	char path[PATH_MAX + 16];

	if (util_path_in(path, sizeof path, dir, "identity") < 0 ||
	    store_folder_check(dir, !said) < 0 || store_folder_check(path, true) < 0)
		return;
	identity_set_cache_dir(path);
}

/* The default folder's, from a frame of its own: its path (4 KiB) in
 * prime_identity_dir's would put every call below as deep, on stack pages
 * nothing else at start-up reaches (a page fault each). */
static __attribute__((noinline)) void identity_dir_default(void)
{
	char home[PATH_MAX];

	config_default_dir(home);
	identity_dir_in(home, false);
}

void prime_identity_dir(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (memo_cfg->cache.dir[0])
		identity_dir_in(memo_cfg->cache.dir, true);
	else
		identity_dir_default();
}

/* The identity is read from the file at h->path: it must still be the file
 * the object was loaded from (activate.c noted it, and the build-id as
 * mapped). Another build installed over it since would lend the loaded code
 * its identity: its results would be stored for that build, and served to
 * it. Refused instead; a reload identifies it anew (activate.c). */
static int loaded_file_unchanged(struct hook *h)
{
	struct elf_image *img = elf_image_open(h->path, NULL, 0);
	const struct stat *st = img ? elf_image_stat(img) : NULL;
	const uint8_t *id = NULL;
	size_t len = 0;

	if (img)
		id = elf_image_build_id(img, &len);
	if (st && st->st_dev == h->file.st_dev && st->st_ino == h->file.st_ino &&
	    st->st_size == h->file.st_size && st->st_mtim.tv_sec == h->file.st_mtim.tv_sec &&
	    st->st_mtim.tv_nsec == h->file.st_mtim.tv_nsec &&
	    (!h->loaded_id_len || (id && len >= h->loaded_id_len &&
				   !memcmp(id, h->loaded_id, h->loaded_id_len))))
		return 0;
	return hook_refuse(h, REFUSE_NO_IDENTITY, "'%s' is not the file it was loaded from any "
			   "more (another build installed over it?): its code identity cannot be "
			   "read", h->path);
}

/* `globals = a, b`: find each variable, so its bytes join every key. */
static int bind_globals(struct hook *h)
{
	char list[CONFIG_GLOBALS_MAX], *name, *save = NULL;
	void *addr;
	size_t size;

	snprintf(list, sizeof list, "%s", h->fn->globals);
	for (name = strtok_r(list, ", \t", &save); name; name = strtok_r(NULL, ", \t", &save)) {
		if (h->nglobals == HOOK_MAX_GLOBALS) {
			return hook_refuse(h, REFUSE_TOO_MANY_GLOBALS, "more than %d globals",
					   HOOK_MAX_GLOBALS);
		}
		if (identity_global_addr(h, name, &addr, &size) < 0)
			return -1;
		h->globals[h->nglobals].iov_base = addr;
		h->globals[h->nglobals].iov_len = size;
		h->nglobals++;
	}
	return 0;
}

/* A function that reads writable globals may not be pure: say so once, unless
 * the config already keys on them. */
static void warn_impurity(struct hook *h)
{
	char names[512];

	if (identity_globals_read(h, names, sizeof names) > 0 && !h->fn->globals[0])
		log_warn("'%s' reads writable globals (%s): a change to them is not seen by the "
			 "cache; list them in 'globals =' (%s:%d) to key on their values",
			 h->fn->symbol, names, h->fn->file, h->fn->line);
}

/* The key prefix and threshold, once identity and generation are known. */
static void prime_key(struct hook *h)
{
	key_prefix(&h->prefix, memo_cfg->cache.namespace_, h->generation, h->identity,
		   &h->fn->proto, key_rules(h->fn));
	h->threshold_ns = (uint64_t)(h->fn->time_threshold * 1e9);
}

/* A hook whose flush generation could not be read is asked again this much
 * later (its server down: the breaker answers at once meanwhile). */
#define GENERATION_RETRY_NS (250 * 1000000ull)

/*
 * The flush generation (store/records.h): the record for all symbols, read
 * once per process, plus this symbol's; then the key prefix. 0, or -1 when a
 * record could not be read: no entry can then be known to postdate the last
 * flush, so the hook's calls compute, unlooked-up, until a read succeeds
 * (prime_hook asks again every GENERATION_RETRY_NS). Under runtime_lock.
 */
static int prime_generation(struct hook *h)
{
	static uint64_t all_generation;
	static bool all_known, all_copy;
	bool own_copy;
	uint64_t own;

	if (!all_known)
		all_known = records_generation_read(memo_store, memo_cfg->cache.namespace_,
						    RECORDS_ALL_SYMBOLS, &all_generation,
						    &all_copy, stats_mine(h->stats)) == 0;
	if (!all_known || records_generation_read(memo_store, memo_cfg->cache.namespace_,
						  h->fn->symbol, &own, &own_copy,
						  stats_mine(h->stats)) < 0) {
		if (!h->generation_unknown_said++)
			log_warn("'%s': its flush generation could not be read from the cache "
				 "(a server down?) and this node has no copy: its calls compute, "
				 "unmemoized, until it can be, since no entry is known to be "
				 "newer than the last 'memo flush'", h->fn->symbol);
		h->generation_retry_ns = util_now_ns() + GENERATION_RETRY_NS;
		return -1;
	}
	if (all_copy || own_copy)
		log_warn("'%s': its flush generation could not be read from the cache (a server "
			 "down?): going by the one this node read last, for this process; a "
			 "'memo flush' made since then is seen by processes that start once "
			 "the server answers", h->fn->symbol);
	else if (h->generation_unknown_said)
		log_info("'%s': its flush generation was read; its calls are memoized again",
			 h->fn->symbol);
	h->generation = all_generation + own;
	prime_key(h);
	explain_activate(h);	/* explain.c: remember this state, see what changed */
	return 0;
}

/* The part of prime_hook that runs once per hook, under runtime_lock. */
static int prime_locked(struct hook *h)
{
	if (!store_tried) {
		store_tried = 1;
		memo_store = store_open(&memo_cfg->cache);
		prime_identity_dir();
		if (!memo_store)
			log_warn("no cache could be opened; calls run unmemoized");
	}
	if (!memo_store)
		return -1;
	if (loaded_file_unchanged(h) < 0 || identity_compute(h) < 0 || bind_globals(h) < 0) {
		hook_log_refusal(h);
		return -1;
	}
	warn_impurity(h);
	h->tag = records_function_tag(memo_cfg->cache.namespace_, h->fn->symbol);
	return prime_generation(h) == 0 ? 0 : 1;
}
/*
 * The priming stack: one for the process, mapped at the first priming with
 * an inaccessible page below it, used under runtime_lock only (so by one
 * thread at a time) and kept.
 */
#define PRIME_STACK (512 * 1024)

static char *prime_stack;

/* fn(h) with the stack pointer at `top` (16-byte aligned), back
 * on the caller's stack after. Not swapcontext: a switch needs no saved
 * context here, and ASan's swapcontext interceptor warns on stderr, which a
 * memoized program must not get. rbx keeps the caller's rsp (callee-saved:
 * fn keeps it); every register the call may clobber is declared. */
static int call_on_stack(char *top, int (*fn)(struct hook *), struct hook *h)
{
	int r;

	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %[top], %%rsp\n\t"
			 "call *%[fn]\n\t"
			 "mov %%rbx, %%rsp"
			 : "=a"(r), "+D"(h)
			 : [top] "r"(top), [fn] "r"(fn)
			 : "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc",
			   "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st",
			   "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
	return r;
}

/* fn(h) on the priming stack; on the caller's when it cannot be mapped
 * (the caller's stack is then all there is). */
static int prime_switched(int (*fn)(struct hook *), struct hook *h)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	sigset_t block, was;
	int r;

	if (!prime_stack) {
		char *p = mmap(NULL, PRIME_STACK + page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED || mprotect(p, page, PROT_NONE) < 0) {
			if (p != MAP_FAILED)
				munmap(p, PRIME_STACK + page);
			return fn(h);
		}
		prime_stack = p + page;
	}
	/* Asynchronous signals wait while priming runs off the caller's stack:
	 * a handler's call primed from a sigaltstack would otherwise let the
	 * next signal start again at the top of that stack, over the first
	 * handler's frames. A fault is still delivered (and said by crash.c). */
	sigfillset(&block);
	sigdelset(&block, SIGSEGV);
	sigdelset(&block, SIGBUS);
	sigdelset(&block, SIGILL);
	sigdelset(&block, SIGFPE);
	sigdelset(&block, SIGTRAP);
	sigdelset(&block, SIGSYS);
	pthread_sigmask(SIG_SETMASK, &block, &was);
	r = call_on_stack(prime_stack + PRIME_STACK, fn, h);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	return r;
}

int prime_hook(struct hook *h)
{
	int was, primed = __atomic_load_n(&h->primed, __ATOMIC_ACQUIRE);

	/* its generation not yet read: asked again once the time has come
	 * (read without the lock: a call meanwhile pays one load) */
	if (primed == PRIMED_NO_GENERATION &&
	    util_now_ns() < __atomic_load_n(&h->generation_retry_ns, __ATOMIC_RELAXED))
		return -1;
	/* Priming allocates (the store, libelf, the identity): from a signal
	 * handler that may have interrupted malloc, this call runs the original
	 * and a later call primes. */
	if (sigframe_in_handler())
		return -1;
	store_heap_known(true);	/* the store need not scan again (store.h) */
	was = runtime_lock();

	primed = __atomic_load_n(&h->primed, __ATOMIC_ACQUIRE);
	/* retired (its object unloaded, activate.c) and not yet active again:
	 * a straggler runs the original, and the hook is primed once active */
	if (primed != 1 && __atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != HOOK_ACTIVE) {
		runtime_unlock(was);
		store_heap_known(false);
		return -1;
	}
	if (!primed) {
		int r = prime_switched(prime_locked, h);

		primed = r == 0 ? 1 : r > 0 ? PRIMED_NO_GENERATION : -1;
		__atomic_store_n(&h->primed, primed, __ATOMIC_RELEASE);
	} else if (primed == PRIMED_NO_GENERATION && util_now_ns() >= h->generation_retry_ns) {
		if (prime_switched(prime_generation, h) == 0) {
			primed = 1;	/* the prefix is written: published by the release */
			__atomic_store_n(&h->primed, primed, __ATOMIC_RELEASE);
		}
	}
	runtime_unlock(was);
	store_heap_known(false);
	return primed == 1 ? 0 : -1;
}
