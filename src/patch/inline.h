/*
 * inline: entry patching on x86-64. Overwrites a function's entry (after any
 * endbr64) with a `jmp rel32` to a per-hook stub near it; the stub enters the
 * shared assembly entry (entry.S) that saves every register, aligns the stack
 * and calls h->entry. The displaced instructions are relocated (Zydis) into a
 * trampoline that becomes h->orig.
 * Calls log, elf (symbol sizes), Zydis. Start-up and dlopen only, under
 * hooks_lock (never on the hot path); install is safe while other threads run.
 *
 * Usage, per hook, once h->target, h->path, h->base and h->fn are set and
 * call_prepare has run:
 *
 *     if (inline_prepare(h, call_closure_write) == 0 && inline_install(h) == 0)
 *             ... calls now reach h->entry; h->orig calls the original ...
 *     else
 *             log_warn("'%s': not entry-patched: %s", h->fn->symbol, h->why);
 *
 * Every refusal happens in inline_prepare, before a byte of code is written;
 * the reason names what was found ("a branch at +0x2a jumps into the patched
 * bytes", "3-byte function is shorter than the 5-byte jump", ...).
 */
#ifndef MEMO_INLINE_H
#define MEMO_INLINE_H

#include <stddef.h>

#include "find/hook.h"

/* Decode and check the function, allocate its stub and trampoline within
 * reach, relocate the displaced instructions, have write_closure put the
 * hook's libffi closure beside them (call_closure_write: passed in, so that
 * `memo inspect`, which links this file for inline_check, needs no call
 * path), make the page read+exec, and set h->orig to the trampoline and
 * h->entry to the closure. Writes nothing in the target. 0, or -1 with
 * h->why set (then nothing is left allocated and h->orig and h->entry are
 * unchanged). */
int inline_prepare(struct hook *h, int (*write_closure)(struct hook *h, void *at));

/* inline_prepare's checks alone, and a trial relocation of the displaced
 * instructions: allocates nothing, writes nothing, reads the code at
 * h->target (which may point at a file's bytes: `memo inspect` sets h->base
 * so that h->target - h->base is the function's address in h->path).
 * 0 when it could be entry-patched, or -1 with h->why set. */
int inline_check(struct hook *h);

/* Write the jump at the entry of a prepared hook. 0, or -1 with h->why set
 * and the code untouched (h->orig is then reset to h->target; h->entry stays
 * usable through GOT slots). Installs the crash handler on the first success. */
int inline_install(struct hook *h);

/* engine.c, around start-up's activations (on, then off): the thread count read
 * for the first install stands for the rest. Only the constructor runs then,
 * and it starts no thread: a count of 1 cannot grow meanwhile (and one above
 * 1 only makes patching more careful). Saves a read of /proc/self/status
 * per hook. */
void inline_batch(bool on);

/* 1 if `h` is entry-patched (prepared and installed). */
int inline_patched(const struct hook *h);

#endif
