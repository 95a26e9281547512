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

#endif
