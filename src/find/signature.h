/*
 * signature: the declared prototype checked against what the debug info
 * says the function takes and returns (dwarf.h): the number of arguments,
 * each one's class and size, what each pointer points to (its element
 * size), the return type. A mismatch refuses the function
 * (REFUSE_PROTO_MISMATCH): a prototype that leaves out an argument, says
 * float for double or hashes half of a buffer serves wrong results.
 * Also names the `opaque` arguments the debug info shows the function reads
 * through (a pointer to a complete struct, a function pointer, a C++
 * reference to a class): their contents are not in the key.
 * Calls config (proto), hook, log, util, libb2, libdl; loads
 * libmemo-dwarf.so (dlopen) only when a verdict is not cached. Start-up
 * and tools only (allocates, opens files); single-threaded before main,
 * else under runtime_lock.
 */
#ifndef MEMO_SIGNATURE_H
#define MEMO_SIGNATURE_H

#include <stddef.h>

#include "config/config.h"
#include "find/dwarf.h"
#include "find/hook.h"

/* Compare prototype p with the debug info's d. 0 when they agree;
 * -1 with *arg (the argument at fault, -1 for the whole prototype: the
 * count or the return) and text[] ("'b' is double in the debug info,
 * declared float") set. */
int signature_compare(const struct proto *p, const struct dwarf_func *d, int *arg,
		      char *text, size_t n);

/* Define the structs p names that no [types] declares from d, the debug
 * info's description (types_define; d NULL: none), and settle p's sizes
 * (types_settle): before signature_compare, wherever types_unsettled(p). 0, or -1 with *arg
 * and text[] set (a struct the debug info does not describe, or not as C
 * lays out its fields). p and its structs are the config's own memory,
 * written before the hook is active (start-up or runtime_lock). */
int signature_define_structs(struct proto *p, const struct dwarf_func *d, int *arg, char *text,
			     size_t n);

/* For each `opaque` argument of p that d shows the function reads through,
 * call say(ctx, argument index, text) with "argument 'strm' is opaque, but
 * 'deflate' reads through it: ...". Returns how many. */
int signature_opaque_read(const struct proto *p, const struct dwarf_func *d,
			  void (*say)(void *ctx, int arg, const char *text), void *ctx);

/* "FILE:LINE:COL" of argument `arg` of fn's prototype (-1: its start). */
void signature_where(const struct function_config *fn, int arg, char *buf, size_t n);

/* The engine's check of a resolved hook (h->path, h->target): the verdict
 * is cached per (build-id, address, prototype) in the identity cache folder
 * (identity_get_cache_dir: none where the folder is refused, and then it is
 * read each time); only on a miss is libmemo-dwarf.so loaded to read the
 * debug info. 0 when the prototype agrees or nothing describes the function;
 * -1 refused (REFUSE_PROTO_MISMATCH, the text with FILE:LINE:COL). */
int signature_check_hook(struct hook *h);

#endif
