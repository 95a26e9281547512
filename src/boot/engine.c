/*
 * engine: the engine's start-up (engine.h), run once by the preload with the
 * config it loaded: load the secret, activate each configured function
 * (activate.c), route calls through GOT slots, register fork handlers, mark
 * ready; and a destructor dumps stats at exit. What only a call needs waits
 * for the hook's first call (call/prime.c).
 * A hook reached before ready or after teardown began calls the original.
 * Runs single-threaded before main; the fork handlers run in whichever
 * thread forks.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/engine.h"

#include "base/log.h"
#include "base/sigframe.h"
#include "base/stats.h"
#include "base/util.h"
#include "boot/activate.h"
#include "call/explain.h"
#include "call/runtime.h"
#include "call/scratch.h"
#include "find/run_report.h"
#include "patch/crash.h"
#include "patch/got.h"
#include "patch/inline.h"
#include "store/records.h"
#include "store/secret.h"
#include "store/store.h"
#include "store/treehash.h"

/* Read once at start-up: where stats go (MEMO_STATS, else [cache] stats). */
static const char *stats_dest;

/* A fork while another thread patches after a dlopen must not leave the
 * child with runtime_lock held by a thread it does not have. */
static void after_fork_child(void)
{
	int i;

	runtime_pid = getpid();
	runtime_after_fork();
	treehash_after_fork();
	for (i = 0; i < nhooks; i++)
		if (__atomic_load_n(&hooks[i].primed, __ATOMIC_RELAXED))	/* else all zero */
			stats_reset(hooks[i].stats);
	if (memo_store)
		store_after_fork(memo_store);
}

/* The engine's entry (engine.h): the preload has loaded a valid config. */
__attribute__((visibility("default"))) void memo_engine_start(const struct memo_config *cfg,
								const struct crash_hold *keeper)
{
	int i, active = 0, patched = 0;

	log_init();
	scratch_init();	/* before any call: its threads' memory is freed at their exit */
	/* Kept before the program's main runs: whatever it later does with
	 * fd 2, libmemo's text goes to this file or nowhere (log.h). */
	log_keep_stderr(util_fd_high(STDERR_FILENO));
	memo_cfg = cfg;
	explain_init();
	/* The MAC key, before any value is encoded or decoded. A refused secret
	 * is like a config error: no value could be trusted or stored. */
	if (secret_load(&memo_cfg->cache) < 0) {
		if (env_flag("MEMO_STRICT")) {
			log_error("the secret file is refused; exiting (MEMO_STRICT)");
			_exit(2);
		}
		log_error("the secret file is refused; running unmemoized");
		return;
	}
	stats_dest = getenv("MEMO_STATS");
	if (!stats_dest || !*stats_dest)
		stats_dest = memo_cfg->cache.stats;

	nhooks = memo_cfg->nfuncs;
	/* room for the copies of functions defined in several objects
	 * (activate_copies): the array never moves */
	hooks_cap = 4 * nhooks + 16;
	/* mapped, not calloc'ed: a fresh mapping's pages are zero and cost
	 * nothing until a hook is written there, where calloc, carving the
	 * array from the heap, zeroed it whole (~30 page faults for one
	 * configured function when a hook was ~9 KB); the counters likewise,
	 * from the next page of the same mapping (one mmap for both) */
	size_t hooks_len = ((size_t)hooks_cap * sizeof *hooks + 4095) & ~(size_t)4095;
	size_t map_len = hooks_len + (size_t)hooks_cap * sizeof *hooks_stats;
	uint8_t *map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);

	if (map == MAP_FAILED) {
		log_error("out of memory at start-up; running unmemoized");
		return;
	}
	hooks = (struct hook *)map;
	hooks_stats = (struct stats_shards *)(map + hooks_len);
	inline_batch_begin(nhooks);
	for (i = 0; i < nhooks; i++) {
		hooks[i].fn = &memo_cfg->funcs[i];
		hooks[i].index = i;
		hooks[i].stats = &hooks_stats[i];
		hooks[i].path = "";
		if (activate_hook(&hooks[i]) == 0)
			active++;
	}
	activate_copies();
	inline_batch_end(activate_unpatched);
	for (i = 0; i < nhooks; i++)
		patched += inline_patched(&hooks[i]) > 0;
	/* A fault in a trampoline is named; the handler is installed now,
	 * before main, or never (an entry patch made after a dlopen goes
	 * without): the program's own actions stay its own (crash.h). */
	if (patched)
		crash_install(keeper);	/* and sigframe.h's restorer, read there */
	else	/* before main: a first call in a handler is told apart */
		sigframe_init();
	/* A process that holds none of the configured functions (the shell or
	 * the make that starts the real program, inheriting LD_PRELOAD) stays
	 * quiet about them unless MEMO_STRICT or MEMO_LOG=info asks (a
	 * misspelled name makes every process such a one); where some are
	 * found, the missing ones are named. */
	for (i = 0; i < memo_cfg->nfuncs; i++)	/* a copy's failure is said when found */
		if (hooks[i].state == HOOK_FAILED || (active && hooks[i].state == HOOK_UNRESOLVED) ||
		    (hooks[i].state == HOOK_UNRESOLVED && env_flag("MEMO_STRICT")))
			activate_log_failure(&hooks[i]);
		else if (hooks[i].state == HOOK_UNRESOLVED)
			log_info("'%s' is not in this process [%s]: %s", hooks[i].fn->symbol,
				 hook_refusal_name(hooks[i].refusal), hooks[i].why);
	/* under `memo run` only: each line asked the environment again */
	if (getenv(RUN_REPORT_ENV))
		for (i = 0; i < nhooks; i++)
			activate_report(&hooks[i]);
	/* the slots first, then what a dlopen's pass activates: start-up has
	 * just tried every hook and listed every copy, and the pass would
	 * try the missing ones and list the copies again */
	got_install_all();
	got_set_activate(activate_after_dlopen, activate_recheck, activate_copies);
	runtime_pid = getpid();
	pthread_atfork(runtime_before_fork, runtime_after_fork, after_fork_child);
	__atomic_store_n(&memo_state, MEMO_READY, __ATOMIC_RELEASE);
}

/* h's counters, summed. Every count is made from its first call's priming
 * on: a hook never primed has none, and its counters' pages (3 KiB a hook)
 * are left untouched at exit. */
static void hook_sum(const struct hook *h, struct memo_stats *st)
{
	if (__atomic_load_n(&h->primed, __ATOMIC_ACQUIRE))
		stats_sum(h->stats, st);
	else
		memset(st, 0, sizeof *st);
}

/* This process's counters, added to the stats kept beside the cache
 * (records.h "stats across runs"), so `memo stats` sums every run. */
static void keep_stats(struct store *s)
{
	static struct records_tally rows[256];
	struct records_tallies t = { .rows = rows };
	char dir[PATH_MAX];

	for (int i = 0; i < nhooks && t.n < (int)(sizeof rows / sizeof rows[0]); i++) {
		struct memo_stats st;

		hook_sum(&hooks[i], &st);
		if (!st.calls)
			continue;
		rows[t.n++] = (struct records_tally){
			.symbol = hooks[i].fn->symbol, .calls = st.calls,
			.hits = st.hits, .misses = st.misses,
			.sets = st.sets, .ns_saved = st.ns_saved,
			.ns_in_function = st.ns_in_function,
		};
	}
	if (s && s->ops->take_evicted)
		s->ops->take_evicted(s, &t.evicted, &t.evicted_bytes);
	if (!t.n && !t.evicted)
		return;
	records_stats_home(&memo_cfg->cache, dir);
	records_stats_add(dir, &t);
}

/* Runs at exit (also in forked children). The store is left open: other
 * threads may still be inside hooked calls, and they now call originals. It
 * is synced: a short process's count of bytes written reaches the folder's
 * size file, so that any number of them stays under max_size. Its counters
 * join those of every run (keep_stats). */
/* Whether a hook was called in this process. */
static bool called(const struct hook *h)
{
	struct memo_stats st;

	hook_sum(h, &st);
	return st.calls != 0;
}

/* Whether h's function has another hook that is memoized or was called:
 * then each row names its copy. */
static bool several_copies(const struct hook *h, int n)
{
	for (int i = 0; i < n; i++)
		if (&hooks[i] != h && hooks[i].fn == h->fn &&
		    (hooks[i].state == HOOK_ACTIVE || called(&hooks[i])))
			return true;
	return false;
}

__attribute__((destructor)) static void memo_stop(void)
{
	char *labels[256];	/* allocated: a name has any length */
	struct stats_row rows[256];
	static struct memo_stats sums[256];	/* 48 KiB: not on a thread's stack */
	struct store *s;
	int i, n = 0, all;

	if (__atomic_exchange_n(&memo_state, MEMO_STOPPING, __ATOMIC_ACQ_REL) != MEMO_READY)
		return;
	s = __atomic_load_n(&memo_store, __ATOMIC_ACQUIRE);
	store_sync(s);
	keep_stats(s);
	all = __atomic_load_n(&nhooks, __ATOMIC_ACQUIRE);
	/* stats = off: no table, so no labels (a malloc and a format each)
	 * and no sums (48 KiB, a page touched at every exit) */
	if (!strcmp(stats_dest, "off"))
		all = 0;
	for (i = 0; i < all && n < (int)(sizeof rows / sizeof rows[0]); i++) {
		const struct hook *h = &hooks[i];
		const char *file = strrchr(h->path, '/');

		size_t cap = strlen(h->fn->symbol) + strlen(h->path) + 4;

		hook_sum(h, &sums[n]);
		if (h->state != HOOK_ACTIVE && !sums[n].calls)
			continue;
		if (!(labels[n] = malloc(cap)))
			break;
		/* a function caught in several objects: "dgesv_ (liblapack.so.3)" */
		snprintf(labels[n], cap, "%s", h->fn->symbol);
		if (several_copies(h, all))
			snprintf(labels[n], cap, "%s (%s)", h->fn->symbol, file ? file + 1 : h->path);
		/* two copies in files of one name: their paths tell them apart */
		for (int j = 0; j < n; j++)
			if (!strcmp(labels[j], labels[n]))
				snprintf(labels[n], cap, "%s (%s)", h->fn->symbol, h->path);
		rows[n] = (struct stats_row){ labels[n], &sums[n] };
		n++;
	}
	if (n)	/* a process without any configured function has nothing to report */
		stats_dump(stats_dest, rows, n);
	for (i = 0; i < n; i++)
		free(labels[i]);
}
