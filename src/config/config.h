/*
 * config: reads MEMO_CONFIG (a file, or a folder whose *.conf files are read
 * in sorted order) with libinih into struct memo_config.
 * Owns the [cache] and [function NAME] keys and their defaults; calls proto
 * and log. Start-up only (allocates); not for the hot path; one load at a
 * time (its loader is static: a process that memoizes nothing then never
 * starts malloc).
 * Every error is printed as "libmemo: error: FILE:LINE: message" (prototype
 * errors add the column: FILE:LINE:COL), followed by a hint where one helps.
 */
#ifndef MEMO_CONFIG_H
#define MEMO_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/proto.h"

enum mechanism { MECH_AUTO = 0, MECH_INLINE, MECH_GOT };

/* Its strings are in memo_config.names (never NULL: "" when not set), so
 * that the struct is small: every process reads a config, and each page of
 * this it writes, or reads untouched, costs a page fault. */
struct cache_config {
	int connect_timeout_ms;		/* default 50 */
	int timeout_ms;			/* default 50: a request's first deadline, and its floor */
	int timeout_max_ms;		/* the adapted deadline's ceiling; default 10 x timeout_ms */
	uint64_t max_size;		/* folder bound in bytes; default 2 GiB */
	bool small_store;		/* folder: small entries in small2.mdb; default yes */
	int line;
	const char *file;	/* where [cache] was read, for messages; "" none */
	const char *stats;	/* "stderr" (default), "off", or a .jsonl path (%p = pid) */
	const char *namespace_;		/* salt; default "" (< 256 characters) */
	const char *sasl_user;		/* (< 256 characters) */
	const char *servers;		/* "host:port, host:port"; "" = no memcached (< 1024) */
	const char *dir;		/* folder store; "" = no folder store (< PATH_MAX) */
	const char *secret_file;	/* "" = checksum; else keyed MAC */
	const char *sasl_password_file;
};

/* Where something is in a config file: for messages about it. */
struct config_pos {
	int line, col;
};

/* What every section writes or start-up reads first, then the prototype,
 * whose arguments lie in the names' pool (proto.h), as its strings do: a
 * page touched is a page fault in every process that reads the config (see
 * config.c), and entries of 520 bytes share them (ten libc functions: 2
 * pages; with names and lists inline, 1.3 KB, 4 pages). */
/* The longest of these values the config takes, + 1. */
enum { CONFIG_VERSION_MAX = 64, CONFIG_OBJECT_MAX = 256, CONFIG_GLOBALS_MAX = 512 };

struct function_config {
	const char *symbol;		/* from [function NAME], of any length (C++: demangled
					 * or mangled): in memo_config.names */
	const char *version;		/* from [function NAME@VERSION]; "" = default */
	int line;
	double time_threshold;		/* seconds; default 0 (store every miss)... see config.c */
	bool repeated;			/* allow_repeated_evaluations */
	double rtol_stderr;		/* default 0.1 */
	int min_repetitions;		/* default 3 */
	int max_repetitions;		/* default 100 */
	enum mechanism mechanism;	/* default auto */
	bool single_flight;
	double single_flight_wait_s;
	double verify;			/* fraction of hits recomputed; 0 = off */
	const char *file;		/* where the section starts: in memo_config.names */
	const char *object;		/* only the object whose file name matches; "" = any */
	const char *globals;		/* names of globals keyed too, comma separated; "" none */
	/* where the prototype starts, and each argument, in the file (a
	 * prototype may span lines): for messages that point at one */
	struct config_pos proto_at, arg_at[PROTO_MAX_ARGS];
	struct proto proto;
};

/* Where a load keeps its first functions and names when its caller gives
 * it room (libmemo.so: in its .lbss), instead of two mappings: a start
 * that reads a small config then maps nothing. Its pages cost nothing
 * until written, as a mapping's. */
#define CONFIG_ROOM_FUNCS 64
struct config_room {
	struct function_config funcs[CONFIG_ROOM_FUNCS];
	max_align_t names[65536 / sizeof(max_align_t)];
};

/* Small: with the room's first functions, on one page (preload.c). */
struct memo_config {
	int nfuncs;
	struct function_config *funcs;	/* the room's, or mapped (see config.c):
					 * config_release frees a mapping */
	int funcs_cap;
	struct config_room *room;	/* the caller's, or NULL; kept by config_release */
	struct type_def *types;		/* [types] structs (config/types.h); config_release frees */
	struct strpool names;		/* the functions' names and arguments; config_release unmaps */
	struct cache_config cache;
};

/* Is a [function NAME] a C++ function written demangled (`ns::f`, or with
 * its parameter list), which find/cxx_name.c looks for among the mangled
 * symbols? */
bool config_cxx_name(const char *symbol);

/* Load `path` (file or folder) into *cfg, which must be zeroed (static,
 * `= { 0 }`, or released) but for `room`: clearing its ~14 KB here would
 * write pages that a process memoizing nothing never needs. Returns the number of errors
 * (0 = usable); each error has been printed. On errors *cfg is still
 * released-safe. */
int config_load(const char *path, struct memo_config *cfg);

/* The folder store's place when no config says: $XDG_CACHE_HOME/libmemo,
 * else $HOME/.cache/libmemo; "" when neither is set (absolute). */
void config_default_dir(char out[PATH_MAX]);

void config_release(struct memo_config *cfg);

/* Told of each setting config_load reads: the section (NULL for [cache],
 * else the function's symbol, and its @VERSION or ""), the key, where it is set and its value as
 * written (a prototype's lines joined). For memo config and memo check;
 * NULL (the default) tells no one. */
typedef void config_trace_fn(void *ctx, const char *function, const char *version,
			     const char *key, const char *file, int line, const char *text);
void config_set_trace(config_trace_fn *fn, void *ctx);

/* The keys of [cache] (function false) or [function] (true), i from 0;
 * NULL past the last. config_format writes key i's value in `section` (a
 * struct cache_config or function_config) as a config would write it;
 * prototype, ignore_args and return, kept as text only while loading, are
 * told by the trace. */
const char *config_key_name(bool function, int i);
void config_format(bool function, int i, const void *section, char *out, size_t n);

/* The edit distance between a and b, a's letters taken in lower case: what
 * "did you mean" hints are chosen by. 99 for names of 64 characters or more. */
int config_edit_distance(const char *a, const char *b);

/* A size as max_size takes it: "2G", "1.5G", "512M", "100k", "12345" ->
 * bytes (a fraction needs a unit, and is taken to the byte below); -1 if
 * it is not one. */
int64_t config_parse_size(const char *s);

#endif
