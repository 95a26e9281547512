/*
 * secret: reads `secret_file` ([cache]) once at start-up and hands its bytes
 * to value_set_secret, so every value carries a keyed BLAKE2b MAC.
 * Calls libc, value and log. Start-up only (single-threaded, before any value
 * is encoded or decoded); not for the hot path.
 */
#ifndef MEMO_SECRET_H
#define MEMO_SECRET_H

#include "config/config.h"

#define SECRET_MAX_BYTES 65536	/* a larger file is not a key: refused */

/* No secret_file configured: 0, values keep their plain checksum.
 * Otherwise the file must be a regular file owned by this user, neither
 * readable nor writable by group or others, and not empty (one trailing
 * newline is not part of the secret). 0 when the secret is set; -1 (the
 * reason said on stderr, naming the file) when it is refused. */
int secret_load(const struct cache_config *c);

#endif
