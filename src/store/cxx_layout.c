/*
 * cxx_layout: libstdc++'s std::vector and std::string, read in place
 * (cxx_layout.h). The layouts are the ABI libstdc++ keeps stable:
 *
 *   std::vector<T>: { T *begin; T *end; T *end_of_storage; }
 *   std::string:    { char *data; size_t length; union { char local[16];
 *                     size_t capacity; }; }	(_GLIBCXX_USE_CXX11_ABI=1)
 *
 * What is checked is what a reader must not trust: ordered pointers and a
 * whole number of elements; a string's data non-NULL and its length sane.
 */
#include "store/cxx_layout.h"

#include <stddef.h>

#include "base/util.h"

struct cxx_vector {
	const char *begin, *end, *end_of_storage;
};

struct cxx_string {
	const char *data;
	uint64_t length;
	uint64_t local_or_capacity[2];
};

/* No string is longer than a user address space. */
#define CXX_MAX_BYTES (UINT64_C(1) << 47)

int cxx_layout_contents(const struct proto_arg *a, const void *obj, const void **data,
			uint64_t *bytes)
{
	if (!obj)
		return -1;
	if (a->kind == ARG_CXX_STRING) {
		const struct cxx_string *s = obj;

		if (!s->data || s->length >= CXX_MAX_BYTES)
			return -1;
		*data = s->data;
		*bytes = s->length;
		return 0;
	}
	{
		const struct cxx_vector *v = obj;

		if (v->end < v->begin || v->end_of_storage < v->end || (!v->begin && v->end) ||
		    (uint64_t)(v->end - v->begin) % a->type.size)
			return -1;
		*data = v->begin;
		*bytes = (uint64_t)(v->end - v->begin);
		return 0;
	}
}

int cxx_layout_readable(const struct proto_arg *a, const void *obj)
{
	const void *data;
	uint64_t bytes;

	if (!obj)
		return 1;	/* cxx_layout_contents refuses it */
	if (util_readable(obj, a->kind == ARG_CXX_STRING ? sizeof(struct cxx_string) :
			  sizeof(struct cxx_vector)) == 0)
		return 0;
	if (cxx_layout_contents(a, obj, &data, &bytes) < 0 || !bytes)
		return 1;
	return util_readable(data, bytes) != 0;
}
