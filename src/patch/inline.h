/*
 * inline: entry patching on x86-64. Overwrites a function's entry (after any
 * endbr64) with a `jmp rel32` to a per-hook stub near it; the stub enters the
 * shared assembly entry (entry.S) that saves every register, aligns the stack
 * and calls h->entry. The displaced instructions are relocated into a
 * trampoline that becomes h->orig. Owns the patches: prepare (the checks,
 * the near page's layout), install, and the list crash.c reads.
 * Calls x86 (decoding, the checks on the code, relocation), decode_cache
 * (an earlier process's decode of the same bytes), near (a page
 * within reach), elf (symbol sizes), hook (hook_refuse), entry_cpu.
 * Start-up and dlopen only, under runtime_lock (never on the hot path);
 * install is safe while other threads run. crash.c's handler asks it which
 * patch holds a faulting address.
 *
 * Usage, per hook, once h->target, h->path, h->base and h->fn are set and
 * closure_prepare has run:
 *
 *     if (inline_prepare(h, closure_write) == 0 && inline_install(h) == 0)
 *             ... calls now reach h->entry; h->orig calls the original ...
 *     else
 *             log_warn("'%s': not entry-patched [%s]: %s", h->fn->symbol,
 *                      hook_refusal_name(h->refusal), h->why);
 *
 * Every refusal happens in inline_prepare, before a byte of code is written;
 * its code (hook.h: REFUSE_BACK_JUMP, REFUSE_TOO_SHORT, REFUSE_VARIADIC...)
 * says what kind, and the text names what was found ("a branch at +0x2a jumps
 * into the patched bytes", "3-byte function is shorter than the 5-byte jump").
 * Only installing may still fail after (REFUSE_MPROTECT, REFUSE_NOT_ATOMIC).
 */
#ifndef MEMO_INLINE_H
#define MEMO_INLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "find/hook.h"

/* Decode and check the function, allocate its stub and trampoline within
 * reach, relocate the displaced instructions, have write_closure put the
 * hook's libffi closure beside them (closure_write: passed in, so that
 * `memo inspect`, which links this file for inline_check, needs no call
 * path), make the page read+exec, and set h->orig to the trampoline and
 * h->entry to the closure. Writes nothing in the target. 0, or -1 refused
 * (hook_refuse; then nothing is left allocated and h->orig and h->entry are
 * unchanged). */
int inline_prepare(struct hook *h, int (*write_closure)(struct hook *h, void *at));

/* inline_prepare's checks alone, and a trial relocation of the displaced
 * instructions: allocates nothing, writes nothing, reads the code at
 * h->target (which may point at a file's bytes: `memo inspect` sets h->base
 * so that h->target - h->base is the function's address in h->path).
 * 0 when it could be entry-patched, or -1 refused (hook_refuse). */
int inline_check(struct hook *h);

/* Write the jump at the entry of a prepared hook. 0, or -1 refused
 * (hook_refuse) and the code untouched (h->orig is then reset to h->target;
 * h->entry stays usable through GOT slots). Installs no signal handler:
 * the start-up calls crash_install (crash.h) after a success. */
int inline_install(struct hook *h);

/* engine.c, around start-up's activations of nhooks hooks (the pages for
 * their stubs are reserved in a row): the thread count read for the
 * first install stands for the rest. Only the constructor runs then, and it
 * starts no thread: a count of 1 cannot grow meanwhile (and one above 1 only
 * makes patching more careful). Saves a read of /proc/self/status per hook.
 * And the batch's hooks share stub pages, four to a page, which become
 * read+exec at its end, each once; inline_install only checks and queues
 * their jumps, and inline_batch_end writes them, the code pages of those in
 * one text segment made writable together (from the first to the last): a
 * mmap, and two mprotects per hook, fewer.
 * Until then the functions run unpatched. A hook whose page or code cannot
 * be protected so is handed to `unpatched` (h->orig reset to h->target,
 * refused; h->entry NULL when the closure in its stub page is lost too),
 * as inline_install's failure would be told to its caller.
 *   inline_batch_begin(nhooks);
 *   ... inline_prepare(h, closure_write), inline_install(h) for each ...
 *   inline_batch_end(activate_unpatched);
 */
void inline_batch_begin(int nhooks);
void inline_batch_end(void (*unpatched)(struct hook *h));

/* How many threads the process has (2 when it cannot tell: the careful
 * answer); in a batch (inline_batch), the count read first. */
int inline_threads_running(void);

/* 1 if `h` is entry-patched (prepared and installed). */
int inline_patched(const struct hook *h);

/* Whether an entry-patched hook's jump is still at its entry: false once its
 * object was unloaded and code mapped again there (a reload). True for a hook
 * not entry-patched. Its object must be mapped. */
bool inline_intact(const struct hook *h);

/* Forget h's patch: its object was unloaded, so the bytes it wrote are gone.
 * The stub and trampoline stay (a caller may still be in them; the crash
 * handler still names them), and h may be prepared and installed anew. */
void inline_retire(const struct hook *h);

/* For crash.c's signal handler, so async-signal-safe: lock-free walks of the
 * patches, which are never freed once installed. */
/* The hook whose stub or trampoline holds the code address `ip`, with *part
 * "stub" or "trampoline" and *off ip's offset in it; NULL if none does. */
const struct hook *inline_code_at(uintptr_t ip, const char **part, unsigned long *off);
/* Whether `ret` is where a relocated call in a trampoline returns to. */
bool inline_call_returns_to(uintptr_t ret);
/* Whether any trampoline holds a relocated call (else no stack is scanned). */
bool inline_calls_relocated(void);

#endif
