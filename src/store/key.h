/*
 * key: the cache key of one call.
 *   key = BLAKE2b-256(format version ‖ namespace ‖ code identity ‖ canonical
 *         prototype ‖ zeros to a block's end ‖ rules ‖ MXCSR if floating ‖
 *         arguments without ignore_args)
 * The constant prefix is hashed once at start-up into a blake2b_state that each
 * call copies, so a call hashes only its arguments, in place, with no copy and
 * no allocation; the zeros make the prefix whole blocks, compressed once, so
 * a call's bytes start a block: one compression less for most keys (format
 * version 2; version 1's keys are never asked again, so entries written by a
 * build before are computed once more). Buffers of a MiB or more are hashed
 * as a tree on every core (treehash.h). A long double, alone or in an
 * array, is hashed over its 10 bytes, never its 6 of padding. Hot-path
 * safe, any thread.
 */
#ifndef MEMO_KEY_H
#define MEMO_KEY_H

#include <blake2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "config/config.h"
#include "config/proto.h"

#define KEY_FORMAT_VERSION 2
#define KEY_HASH_BYTES 32
/* Key texts are memcached-safe keys and file names. The longest is a
 * lease's, "lease1-" + 64 hex digits (records.h), and its NUL. */
#define KEY_TEXT_MAX 72

struct memo_key {
	uint8_t hash[KEY_HASH_BYTES];
	char text[KEY_TEXT_MAX];
	uint8_t textlen;
};

/* Hash the constant prefix into *prefix. `identity` is the code identity;
 * `generation` is the symbol's flush generation (memo flush bumps it);
 * `rules` are the rules that change what an entry holds (KEY_RULE_*). */
#define KEY_RULE_REPEATED 1	/* a running mean, not one result */
/* libb2 keeps up to two blocks of input pending (it must know which block
 * is the last), so a precomputed state with more than a block pending has
 * its first block compressed again by every hash made from a copy of it:
 * a key's prefix (~180 bytes), a keyed check's key block. Compress that
 * block once, into s: the same digests after any further bytes (at least
 * one when more_follows), or s is left as it was (false). Checked on
 * sample inputs against s, so another libb2's internals cannot change a
 * digest. */
bool key_state_settle(blake2b_state *s, bool more_follows);

/* The rules of a function's config, as key_prefix takes them. */
static inline uint64_t key_rules(const struct function_config *fn)
{
	return fn->repeated ? KEY_RULE_REPEATED : 0;
}
void key_prefix(blake2b_state *prefix, const char *namespace_,
		uint64_t generation, const uint8_t identity[32],
		const struct proto *p, uint64_t rules);

/* Hash one call's arguments (and the current bytes of the `globals =`
 * variables) on top of a copy of the prefix.
 * Returns 0, or -1 when a length cannot be evaluated (the call is then not
 * memoized). `args` are libffi's argument pointers. */
int key_compute(const blake2b_state *prefix, const struct proto *p,
		void *const *args, const struct iovec *globals, int nglobals,
		struct memo_key *out);

/* The key of an entry from its text ("m1-" + 64 lower-case hex digits, as
 * key_compute writes it), for `memo import`. 0, or -1 for any other text
 * (another record's key, a malformed one). */
int key_from_text(struct memo_key *k, const char *text);

/* The first by-reference scalar (ARG_REF) that is NULL or cannot be read,
 * else the first array argument (in, inout or out) whose declared length runs
 * past readable memory (util_readable), whose bytes libmemo would read to key
 * or store the call, or write to restore it: its index, or -1 when none
 * does. Call it before evaluating any length, which may read a reference. A caller may declare more than it passes when the function reads
 * less (up to a sentinel, say); such a call must run unmemoized rather than
 * fault inside libmemo. Costs a system call only for an array that runs past
 * the page of its first byte. */
int key_unreadable_arg(const struct proto *p, void *const *args);

#endif
