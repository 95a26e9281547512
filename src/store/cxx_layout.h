/*
 * cxx_layout: where the contents of a C++ std::vector<T> or std::string
 * passed by const reference lie, in libstdc++'s layouts (GCC's, new string
 * ABI): a vector is three pointers, begin, end and capacity's end; a string
 * is its data pointer, its length, then its local buffer or capacity.
 * Calls util (whether memory can be read). Hot path safe: no allocation,
 * no lock, any thread.
 */
#ifndef MEMO_CXX_LAYOUT_H
#define MEMO_CXX_LAYOUT_H

#include <stdint.h>

#include "config/proto.h"

/* The contents of the ARG_CXX_VECTOR or ARG_CXX_STRING `a` whose object
 * is at `obj` (the reference's pointer): *data and their size in *bytes.
 * 0, or -1 when obj is NULL or does not hold such an object (a vector's
 * end before its begin, or a length that is no whole number of elements):
 * the call is then not keyed, and runs unmemoized. */
int cxx_layout_contents(const struct proto_arg *a, const void *obj, const void **data,
			uint64_t *bytes);

/* Can the object and its contents be read? 1 yes, 0 no (hashing them would
 * fault), as util_readable says. */
int cxx_layout_readable(const struct proto_arg *a, const void *obj);

#endif
