/*
 * engine: the boundary between libmemo's two objects.
 *   libmemo.so          the preload every process of a `memo run` pays for:
 *                       reads the config, decides whether this process may
 *                       hold a configured function (preload.c); links only
 *                       libc and libinih
 *   libmemo-engine.so   everything else (identity, hooks, call path, stores;
 *                       libffi, libb2 and libinih linked in; libelf, Zydis
 *                       and liblmdb dlopened at their first call), dlopen'ed
 *                       by the preload only when
 *                       it may be needed
 * The memcached backend is a third object (store.h). The engine exports
 * exactly one symbol, this entry point. It runs the whole start-up
 * (engine.c) on the configuration the preload loaded, which stays alive for
 * the life of the process.
 */
#ifndef MEMO_ENGINE_H
#define MEMO_ENGINE_H

#include "config/config.h"
#include "patch/crash.h"

#define ENGINE_START_SYM "memo_engine_start"
/* keeper: the preload's sigview, which holds the program's fault actions
 * while the engine's fault handler stands in for them. */
typedef void engine_start_fn(const struct memo_config *cfg, const struct crash_hold *keeper);

#endif
