/*
 * closure: a hook's libffi description (its cif, from the prototype) and its
 * closure, the code hooked calls enter (call.c's call_closure). Decides too
 * whether the inline entry may serve the hook's hits by itself (l1_entry_hit)
 * and call the handler without the closure (call_entry).
 * Calls libffi, l1_hit (by address). Start-up and dlopen only, under
 * runtime_lock or before any thread exists; never on the hot path.
 */
#include "call/closure.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "call/call.h"
#include "call/entry.h"
#include "config/types.h"

static ffi_type *ffi_type_of(const struct scalar_type *t);

/* A struct's libffi type: its fields as elements (an array field as that
 * many elements, as libffi's manual says), built once per struct and kept
 * for the process (a hook's cif points at it; types are never freed while
 * hooks live). libffi lays it out at ffi_prep_cif; closure_prepare checks
 * that its size is the declaration's. */
struct ffi_struct {
	struct ffi_struct *next;
	const struct type_def *def;
	ffi_type type;
	ffi_type *elements[];
};
static struct ffi_struct *ffi_structs;	/* under runtime_lock or before threads */

static ffi_type *ffi_struct_of(const struct type_def *d)
{
	struct ffi_struct *s;
	size_t n = 0, k = 0;

	for (s = ffi_structs; s; s = s->next)
		if (s->def == d)
			return &s->type;
	for (int i = 0; i < d->nfields; i++)
		n += d->field[i].count;
	if (!(s = calloc(1, sizeof *s + (n + 1) * sizeof(ffi_type *))))
		return NULL;
	for (int i = 0; i < d->nfields; i++) {
		ffi_type *e = ffi_type_of(&d->field[i].type);

		if (!e) {
			free(s);
			return NULL;
		}
		for (unsigned c = 0; c < d->field[i].count; c++)
			s->elements[k++] = e;
	}
	s->def = d;
	s->type.type = FFI_TYPE_STRUCT;
	s->type.elements = s->elements;
	s->next = ffi_structs;
	ffi_structs = s;
	return &s->type;
}

static ffi_type *ffi_type_of(const struct scalar_type *t)
{
	static ffi_type *const sints[9] = { [1] = &ffi_type_sint8, [2] = &ffi_type_sint16,
					    [4] = &ffi_type_sint32, [8] = &ffi_type_sint64 };
	static ffi_type *const uints[9] = { [1] = &ffi_type_uint8, [2] = &ffi_type_uint16,
					    [4] = &ffi_type_uint32, [8] = &ffi_type_uint64 };

	switch (t->cls) {
	case SC_VOID:
		return &ffi_type_void;
	case SC_SINT:
		return t->size <= 8 ? sints[t->size] : NULL;
	case SC_UINT:
	case SC_BOOL:
		return t->size <= 8 ? uints[t->size] : NULL;
	case SC_FLOAT:
		return t->size == 4 ? &ffi_type_float :
		       t->size == 8 ? &ffi_type_double :
		       t->size == 16 ? &ffi_type_longdouble : NULL;
	case SC_PTR:
		return &ffi_type_pointer;
	case SC_COMPLEX:
		return t->size == 8 ? &ffi_type_complex_float :
		       t->size == 16 ? &ffi_type_complex_double :
		       t->size == 32 ? &ffi_type_complex_longdouble : NULL;
	case SC_STRUCT:
		return ffi_struct_of(t->def);
	}
	return NULL;
}

/* A type the inline entry's frame holds as the psABI passes it: one
 * integer or vector register, or a long double on the stack. */
static bool in_frame(const ffi_type *t)
{
	switch (t->type) {
	case FFI_TYPE_VOID: case FFI_TYPE_FLOAT: case FFI_TYPE_DOUBLE:
	case FFI_TYPE_LONGDOUBLE: case FFI_TYPE_POINTER:
	case FFI_TYPE_UINT8: case FFI_TYPE_SINT8: case FFI_TYPE_UINT16: case FFI_TYPE_SINT16:
	case FFI_TYPE_UINT32: case FFI_TYPE_SINT32: case FFI_TYPE_UINT64: case FFI_TYPE_SINT64:
		return true;
	}
	return false;
}

int closure_prepare(struct hook *h)
{
	const struct proto *p = &h->fn->proto;
	ffi_type *rtype;
	int i;

	if (p->ret_kind == RET_CXX_OBJECT) {
		return hook_refuse(h, REFUSE_CXX_OBJECT, "it returns '%s' by value, a C++ object that "
				   "is not trivially copyable: a result served from the cache would "
				   "own the same memory as another and be freed twice", p->ret_cxx);
	}

	for (i = 0; i < p->nargs; i++) {
		h->atypes[i] = p->args[i].kind == ARG_SCALAR ? ffi_type_of(&p->args[i].type)
							     : &ffi_type_pointer;
		if (!h->atypes[i]) {
			return hook_refuse(h, REFUSE_FFI_TYPE,
					   "argument '%s' has a type libffi cannot pass", p->args[i].name);
		}
	}
	rtype = p->ret_kind == RET_VOID ? &ffi_type_void :
		p->ret_kind == RET_SCALAR ? ffi_type_of(&p->ret) : &ffi_type_pointer;
	if (!rtype || ffi_prep_cif(&h->cif, FFI_DEFAULT_ABI, p->nargs, rtype, h->atypes) != FFI_OK) {
		return hook_refuse(h, REFUSE_FFI_TYPE, "libffi cannot describe the prototype");
	}
	/* libffi laid the structs out at prep: as the declarations say, or
	 * the calls would move the wrong bytes */
	for (i = -1; i < p->nargs; i++) {
		const struct scalar_type *t = i < 0 ? (p->ret_kind == RET_SCALAR ? &p->ret : NULL) :
					  p->args[i].kind == ARG_SCALAR ? &p->args[i].type : NULL;
		ffi_type *f = i < 0 ? rtype : h->atypes[i];

		if (t && t->cls == SC_STRUCT && (f->size != t->size || f->alignment != t->def->align))
			return hook_refuse(h, REFUSE_FFI_TYPE, "libffi lays 'struct %s' out in %zu bytes, "
					   "the declaration in %u", t->def->name, f->size, t->size);
	}
	if (p->ret_kind == RET_STRING_STATIC && pthread_key_create(&h->strbuf, free) != 0) {
		return hook_refuse(h, REFUSE_NO_TLS_KEY, "no thread-specific key left");
	}
	if (h->fn->repeated) {
		bool numeric = p->ret_kind == RET_SCALAR && p->ret.cls != SC_PTR;
		for (i = 0; i < p->nargs && numeric; i++)
			numeric = p->args[i].kind != ARG_OUT && p->args[i].kind != ARG_INOUT;
		if (!numeric) {
			return hook_refuse(h, REFUSE_NOT_NUMERIC, "repeated evaluations average a "
					   "numeric return value; this prototype has %s",
					   p->ret_kind != RET_SCALAR ? "no numeric return" :
					   "out or inout buffers");
		}
	}
	/* The entry may serve a hit by itself (l1_entry_hit) when the call's
	 * image is scalars only (by value or by reference; no struct or
	 * complex), its result fits one register, and no rule (repeated
	 * evaluations, verify) needs to see the hit. */
	h->entry_hit = !h->fn->repeated && h->fn->verify == 0 && !p->ret.def &&
		       (p->ret_kind == RET_VOID || (p->ret_kind == RET_SCALAR && p->ret.size <= 8))
		       ? l1_entry_hit : NULL;
	/* Structs and complex values by value: their registers are not the
	 * entry's one-register-per-argument frame (inline.c frame_of). */
	for (i = 0; i < p->nargs; i++) {
		const struct proto_arg *a = &p->args[i];
		if (a->kind == ARG_OUT || a->kind == ARG_INOUT ||
		    (!a->ignored && a->kind != ARG_SCALAR && a->kind != ARG_OPAQUE &&
		     a->kind != ARG_REF) ||
		    ((a->kind == ARG_SCALAR || a->kind == ARG_REF) && a->type.def))
			h->entry_hit = NULL;
	}
	/* The inline entry may call call_entry instead of the closure when
	 * every argument is a scalar of libffi's, where inline.c's frame_of
	 * finds it, and the result fits the entry frame's 8-byte slot. */
	h->entry_call = in_frame(rtype) && rtype->size <= 8 ? call_entry : NULL;
	for (i = 0; i < p->nargs; i++)
		if (!in_frame(h->atypes[i]))
			h->entry_call = NULL;
	if (!h->orig)
		h->orig = h->target;
	return 0;
}

/*
 * libffi's x86-64 closure is its own code (3.4, src/x86/ffi64.c
 * ffi_prep_closure_loc): a 24-byte trampoline at the closure's start finds
 * the closure by `lea -0xb(%rip)`, so it must run where it was written
 * (codeloc is not read), and ffi_closure_unix64 only reads cif, fun and
 * user_data after it: the page may be read-only by then. Static trampolines
 * (ffi_tramp_is_present, src/closures.c) serve only memory from libffi's
 * allocator, and Debian builds libffi without them. So no ffi_closure_alloc,
 * whose first use reads /proc/self/status and /proc/mounts and maps a page
 * read+write+exec.
 */
int closure_write(struct hook *h, void *at)
{
	if (ffi_prep_closure_loc(at, &h->cif, call_closure, h, at) != FFI_OK) {
		return hook_refuse(h, REFUSE_FFI_CLOSURE, "libffi cannot make a closure");
	}
	return 0;
}

int closure_page(struct hook *h)
{
	void *page = mmap(NULL, sizeof(ffi_closure), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED) {
		return hook_refuse(h, REFUSE_NO_MEMORY, "no memory for its closure: %s",
				   strerror(errno));
	}
	if (closure_write(h, page) < 0) {
		munmap(page, sizeof(ffi_closure));
		return -1;
	}
	if (mprotect(page, sizeof(ffi_closure), PROT_READ | PROT_EXEC) < 0) {
		hook_refuse(h, REFUSE_MPROTECT, "cannot make its closure executable: %s",
			    strerror(errno));
		munmap(page, sizeof(ffi_closure));
		return -1;
	}
	h->entry = page;
	return 0;
}
