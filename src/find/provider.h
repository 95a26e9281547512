/*
 * provider: what provides an imported function to this process now, named
 * so that whatever could change the import's result changes the name: the
 * library's build-id (or its content, when it has none) and the IFUNC
 * implementations this process selected in it.
 * Calls elf, libdl, libb2, util. Start-up and tools only (reads files,
 * takes the loader's lock); thread-safe; never on the hot path.
 */
#ifndef MEMO_PROVIDER_H
#define MEMO_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

/* The name of what provides `name@version` ("" or NULL version: the
 * default) to this process, as one word of text into out[n]:
 *   BUILD-ID                  the providing object's build-id, in hex
 *   content-HEX               an object without one: a digest of its file
 *   ...+selected-0xOFF        the import is an IFUNC: the implementation
 *                             this process selected, by its place in the object
 *   ...+ifuncs-HEX            the object selects IFUNC implementations for
 *                             its own calls: a digest of every selection
 *   ?                         nothing provides it (a tool that does not
 *                             load the library)
 * Two processes that print the same word run the same code for the import.
 * Used by identity.c for each import and to check its cache of identities. */
void provider_id(const char *name, const char *version, char *out, size_t n);

#define PROVIDER_DIGEST_BYTES 16

/* The IFUNC implementations that the loaded object holding `addr` selected
 * for its own calls (its IRELATIVE slots: GCC's target_clones, a static
 * IFUNC), as a digest into out: the "+ifuncs-" part above, for a configured
 * function's own object. 0, or -1 when it selects none here. */
int provider_own_selections(const void *addr, uint8_t out[PROVIDER_DIGEST_BYTES]);

#endif
