/*
 * dwarf: a function's parameters and return type from its debug info
 * (dwarf.h). Finds the debug info (the object's own, else its separate debug
 * file), the subprogram whose entry is the function's address, and
 * describes each type by class and size, and what a pointer points to.
 * Calls libdw, libelf, libc. Built into libmemo-dwarf.so (loaded by
 * signature.c on a cache miss) and linked into the memo command.
 */
#include "find/dwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One open debug file: the descriptor, libelf's view, libdw's. */
struct debug_file {
	int fd;
	Elf *elf;
	Dwarf *dw;
};

static void debug_close(struct debug_file *f)
{
	if (f->dw)
		dwarf_end(f->dw);
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	*f = (struct debug_file){ .fd = -1 };
}

static bool has_debug_info(Elf *e)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx) < 0)
		return false;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
		    (name = elf_strptr(e, shstrndx, sh.sh_name)) &&
		    (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			return true;
	}
	return false;
}

/* Open `path` as a debug file: it must hold .debug_info, and where both it
 * and the object have a build-id, the same one (a stale debug file of
 * another build describes other code). */
static bool debug_open(const char *path, const void *want_id, ssize_t want_len,
		       struct debug_file *f)
{
	const void *id;
	ssize_t len;

	*f = (struct debug_file){ .fd = open(path, O_RDONLY | O_CLOEXEC) };
	if (f->fd < 0)
		return false;
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || !has_debug_info(f->elf))
		goto no;
	if (want_len > 0 && (len = dwelf_elf_gnu_build_id(f->elf, &id)) > 0 &&
	    (len != want_len || memcmp(id, want_id, (size_t)len)))
		goto no;
	if ((f->dw = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL))) {
		/* read through the mapping from here on: the descriptor is not
		 * kept (the program may count on its numbers) */
		elf_cntl(f->elf, ELF_C_FDDONE);
		close(f->fd);
		f->fd = -1;
		return true;
	}
no:
	debug_close(f);
	return false;
}

/* The object's own debug info, or its separate debug file, as gdb finds
 * them: by build-id, then by .gnu_debuglink in the object's folder, its
 * .debug/ subfolder and the same path under /usr/lib/debug. */
static bool find_debug(const char *path, struct debug_file *f, char *where, size_t n,
		       char *why, size_t whylen)
{
	struct debug_file obj;
	char cand[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	const void *id = NULL;
	ssize_t idlen;
	const char *link;
	GElf_Word crc;
	bool found = false;

	if (debug_open(path, NULL, 0, f)) {
		snprintf(where, n, "%s", path);
		return true;
	}
	obj = (struct debug_file){ .fd = open(path, O_RDONLY | O_CLOEXEC) };
	if (obj.fd < 0) {
		snprintf(why, whylen, "cannot open '%s'", path);
		return false;
	}
	obj.elf = elf_begin(obj.fd, ELF_C_READ_MMAP, NULL);
	if (!obj.elf) {
		snprintf(why, whylen, "'%s' is not an ELF file", path);
		debug_close(&obj);
		return false;
	}
	idlen = dwelf_elf_gnu_build_id(obj.elf, &id);
	if (idlen > 0 && dwarf_build_id_path(id, (size_t)idlen, cand, sizeof cand) == 0 &&
	    debug_open(cand, id, idlen, f))
		found = true;
	link = found ? NULL : dwelf_elf_gnu_debuglink(obj.elf, &crc);
	if (link && strchr(link, '/') == NULL) {
		snprintf(real, sizeof real, "%s", path);
		if (!realpath(path, real))
			snprintf(real, sizeof real, "%s", path);
		snprintf(dir, sizeof dir, "%s", dirname(real));
		const char *const fmts[] = { "%s/%s", "%s/.debug/%s", "/usr/lib/debug%s/%s" };
		for (size_t i = 0; !found && i < sizeof fmts / sizeof fmts[0]; i++)
			if ((size_t)snprintf(cand, sizeof cand, fmts[i], dir, link) < sizeof cand &&
			    strcmp(cand, path) && debug_open(cand, id, idlen, f))
				found = true;
	}
	if (found)
		snprintf(where, n, "%s", cand);
	else
		snprintf(why, whylen, "no debug info in '%s'%s", path,
			 idlen > 0 || link ? " nor in a separate debug file" : "");
	debug_close(&obj);
	return found;
}

/* ---- the subprogram at an address ----------------------------------- */

static bool entry_is(Dwarf_Die *d, uint64_t vaddr)
{
	Dwarf_Addr pc, base, start, end;
	ptrdiff_t off;

	if (dwarf_entrypc(d, &pc) == 0)
		return pc == vaddr;
	/* code in pieces (hot and cold): the first range is the entry */
	off = dwarf_ranges(d, 0, &base, &start, &end);
	return off > 0 && start == vaddr;
}

/* The defining subprogram DIE below `parent` (namespaces, classes) whose
 * entry is vaddr. */
static bool find_in(Dwarf_Die *parent, uint64_t vaddr, Dwarf_Die *out, int depth)
{
	Dwarf_Die d;

	if (depth > 8 || dwarf_child(parent, &d) != 0)
		return false;
	do {
		int tag = dwarf_tag(&d);
		if (tag == DW_TAG_subprogram && entry_is(&d, vaddr)) {
			*out = d;
			return true;
		}
		if ((tag == DW_TAG_namespace || tag == DW_TAG_structure_type ||
		     tag == DW_TAG_class_type || tag == DW_TAG_union_type) &&
		    find_in(&d, vaddr, out, depth + 1))
			return true;
	} while (dwarf_siblingof(&d, &d) == 0);
	return false;
}

static bool find_subprogram(Dwarf *dw, uint64_t vaddr, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwarf_Die cu;

	/* the CU the address tables name; only where they name none (a CU
	 * without ranges), every CU: a large library's debug info (libc's)
	 * takes a second to walk */
	if (dwarf_addrdie(dw, vaddr, &cu))
		return find_in(&cu, vaddr, out, 0);
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, &cu) && find_in(&cu, vaddr, out, 0))
			return true;
		off = next;
	}
	return false;
}

/* ---- types ------------------------------------------------------------ */

static bool type_die(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, out);
}

static const char *name_of(Dwarf_Die *d)
{
	Dwarf_Attribute a;
	const char *n = dwarf_attr_integrate(d, DW_AT_name, &a) ? dwarf_formstring(&a) : NULL;

	return n ? n : "";
}

/* Typedefs that say more than their base type, and that proto.c knows. */
static bool known_typedef(const char *n)
{
	static const char *const known[] = {
		"size_t", "ssize_t", "ptrdiff_t", "int8_t", "int16_t", "int32_t", "int64_t",
		"uint8_t", "uint16_t", "uint32_t", "uint64_t", "intptr_t", "uintptr_t",
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(n, known[i]))
			return true;
	return false;
}

static bool is_qualifier(int tag)
{
	return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
	       tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type;
}

/* What one type (no pointer in front) is: its class, size and names. Peels
 * qualifiers (setting *is_const for a const) and typedefs (keeping a known
 * one's name). d NULL: void. */
struct plain {
	uint8_t cls;
	bool is_signed, is_char, members;
	uint32_t size;
	char name[80];		/* C spelling */
	char proto[48];		/* the prototype language's word, or "" */
};

static void plain_of(Dwarf_Die *d, struct plain *p, bool *is_const)
{
	Dwarf_Die next;
	const char *typedef_name = NULL;

	memset(p, 0, sizeof *p);
	for (int guard = 0; d && guard < 32; guard++) {
		int tag = dwarf_tag(d);
		if (is_qualifier(tag) || tag == DW_TAG_typedef) {
			if (tag == DW_TAG_const_type && is_const)
				*is_const = true;
			if (tag == DW_TAG_typedef && !typedef_name && known_typedef(name_of(d)))
				typedef_name = name_of(d);
			if (!type_die(d, &next))
				break;		/* const void */
			*d = next;
			continue;
		}
		p->size = (uint32_t)(dwarf_bytesize(d) > 0 ? dwarf_bytesize(d) : 0);
		snprintf(p->name, sizeof p->name, "%s", typedef_name ? typedef_name : name_of(d));
		if (tag == DW_TAG_base_type) {
			Dwarf_Attribute a;
			Dwarf_Word enc = 0;
			if (dwarf_attr_integrate(d, DW_AT_encoding, &a))
				dwarf_formudata(&a, &enc);
			p->is_char = enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
			p->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
			if (enc == DW_ATE_float)
				p->cls = DWC_FLOAT;
			else if (enc == DW_ATE_complex_float)
				p->cls = DWC_COMPLEX;
			else if (enc == DW_ATE_boolean)
				p->cls = DWC_BOOL;
			else if (enc == DW_ATE_signed || enc == DW_ATE_unsigned || p->is_char)
				p->cls = p->size <= 8 ? DWC_INT : DWC_UNKNOWN;
			if (p->cls != DWC_UNKNOWN)
				snprintf(p->proto, sizeof p->proto, "%.47s", p->name);
		} else if (tag == DW_TAG_enumeration_type) {
			p->cls = DWC_INT;
			p->is_signed = true;
			snprintf(p->name, sizeof p->name, "enum %s", name_of(d));
			snprintf(p->proto, sizeof p->proto, p->size == 8 ? "long" : "int");
		} else if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
			   tag == DW_TAG_class_type) {
			Dwarf_Die c;
			p->cls = DWC_RECORD;
			p->members = !dwarf_hasattr(d, DW_AT_declaration) && dwarf_child(d, &c) == 0;
			snprintf(p->name, sizeof p->name, "%s%s", tag == DW_TAG_structure_type ?
				 "struct " : tag == DW_TAG_union_type ? "union " : "", name_of(d));
		} else if (tag == DW_TAG_subroutine_type) {
			p->cls = DWC_FUNCTION;
			snprintf(p->name, sizeof p->name, "a function");
		} else if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ||
			   tag == DW_TAG_rvalue_reference_type) {
			p->cls = DWC_POINTER;
			p->size = 8;
			snprintf(p->name, sizeof p->name, "a pointer");
		}
		return;
	}
	p->cls = DWC_VOID;
	snprintf(p->name, sizeof p->name, "void");
	snprintf(p->proto, sizeof p->proto, "void");
}

/* The scalars of the record `rec` placed at `base`, appended to t->leaves;
 * false when they cannot be listed (a union, a bit-field, an unknown
 * member type, too many). */
static bool leaves_of(Dwarf_Die *rec, unsigned base, struct dwarf_type *t, int depth)
{
	Dwarf_Die c, d, next;

	if (depth > 8 || dwarf_tag(rec) != DW_TAG_structure_type || dwarf_child(rec, &c) != 0)
		return false;
	do {
		Dwarf_Attribute a;
		Dwarf_Word off = 0, count = 1;
		struct plain p;
		int tag;

		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		if (dwarf_hasattr(&c, DW_AT_bit_size) || !type_die(&c, &d))
			return false;
		if (dwarf_attr(&c, DW_AT_data_member_location, &a) && dwarf_formudata(&a, &off) != 0)
			return false;
		while ((tag = dwarf_tag(&d)) == DW_TAG_typedef || is_qualifier(tag))
			if (!type_die(&d, &d))
				return false;
		if (tag == DW_TAG_array_type) {
			Dwarf_Die sub;
			Dwarf_Word ub;

			if (dwarf_child(&d, &sub) != 0 || dwarf_tag(&sub) != DW_TAG_subrange_type)
				return false;
			if (dwarf_attr(&sub, DW_AT_upper_bound, &a) && dwarf_formudata(&a, &ub) == 0)
				count = ub + 1;
			else if (!dwarf_attr(&sub, DW_AT_count, &a) || dwarf_formudata(&a, &count) != 0)
				return false;
			if (!type_die(&d, &next))
				return false;
			d = next;
			while ((tag = dwarf_tag(&d)) == DW_TAG_typedef || is_qualifier(tag))
				if (!type_die(&d, &d))
					return false;
		}
		for (Dwarf_Word k = 0; k < count; k++) {
			unsigned at = base + (unsigned)off;

			if (tag == DW_TAG_structure_type) {
				Dwarf_Word size = dwarf_bytesize(&d) > 0 ? (Dwarf_Word)dwarf_bytesize(&d) : 0;

				if (!leaves_of(&d, at + (unsigned)(k * size), t, depth + 1))
					return false;
				continue;
			}
			next = d;
			plain_of(&next, &p, NULL);
			if (p.cls == DWC_UNKNOWN || p.cls == DWC_RECORD || p.cls == DWC_VOID ||
			    t->nleaves == DWARF_MAX_LEAVES || at + k * p.size > UINT16_MAX)
				return false;
			t->leaves[t->nleaves++] = (struct dwarf_leaf){ (uint16_t)(at + k * p.size),
								      p.cls, (uint8_t)p.size, p.is_signed };
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	return true;
}

/* t's leaves, when `rec` is a complete record. */
static void record_leaves(Dwarf_Die *rec, struct dwarf_type *t)
{
	Dwarf_Die d = *rec;
	int tag;

	while ((tag = dwarf_tag(&d)) == DW_TAG_typedef || is_qualifier(tag))
		if (!type_die(&d, &d))
			return;
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_class_type)
		return;
	t->nleaves = 0;
	if (!leaves_of(&d, 0, t, 0))
		t->nleaves = -1;
}

/* A named struct whose fields are listed and can be keyed (no pointer):
 * `struct NAME`, as a prototype names one the debug info describes (its
 * proto_name). */
static void struct_word(struct plain *p, const struct dwarf_type *t)
{
	if (p->cls != DWC_RECORD || t->nleaves <= 0 || strncmp(p->name, "struct ", 7) || !p->name[7])
		return;
	for (int i = 0; i < t->nleaves; i++)
		if (t->leaves[i].cls != DWC_INT && t->leaves[i].cls != DWC_BOOL &&
		    t->leaves[i].cls != DWC_FLOAT && t->leaves[i].cls != DWC_COMPLEX)
			return;
	snprintf(p->proto, sizeof p->proto, "%.47s", p->name);
}

/* The type of a DIE's DW_AT_type (absent: void). */
static void type_of(Dwarf_Die *typed, struct dwarf_type *t)
{
	Dwarf_Die d, next;
	struct plain p;
	int tag;

	memset(t, 0, sizeof *t);
	if (!type_die(typed, &d)) {
		t->cls = DWC_VOID;
		snprintf(t->spelling, sizeof t->spelling, "void");
		snprintf(t->proto_name, sizeof t->proto_name, "void");
		return;
	}
	/* qualifiers on the argument itself (`double *const p`) and typedefs of
	 * pointers do not matter */
	while (((tag = dwarf_tag(&d)) == DW_TAG_typedef || is_qualifier(tag)) &&
	       !(tag == DW_TAG_typedef && known_typedef(name_of(&d))) && type_die(&d, &next)) {
		Dwarf_Die peek = next;
		plain_of(&peek, &p, NULL);
		if (p.cls != DWC_POINTER)
			break;
		d = next;
	}
	tag = dwarf_tag(&d);
	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ||
	    tag == DW_TAG_rvalue_reference_type || tag == DW_TAG_array_type) {
		bool has = type_die(&d, &next);
		t->cls = DWC_POINTER;
		t->size = 8;
		t->is_reference = tag != DW_TAG_pointer_type && tag != DW_TAG_array_type;
		plain_of(has ? &next : NULL, &p, &t->elem_const);
		t->elem_cls = p.cls;
		t->elem_size = p.cls == DWC_VOID || (p.cls == DWC_RECORD && !p.members) ? 0 : p.size;
		t->elem_char = p.is_char;
		t->elem_int = p.cls == DWC_INT;
		t->elem_members = p.members;
		if (has && p.cls == DWC_RECORD && p.members)
			record_leaves(&next, t);
		struct_word(&p, t);
		snprintf(t->proto_name, sizeof t->proto_name, "%s",
			 p.cls == DWC_POINTER || p.cls == DWC_FUNCTION ? "" : p.proto);
		if (p.cls == DWC_FUNCTION)
			snprintf(t->spelling, sizeof t->spelling, "a function pointer");
		else
			snprintf(t->spelling, sizeof t->spelling, "%s%s %s",
				 t->elem_const ? "const " : "", p.cls == DWC_POINTER ? "void *" : p.name,
				 t->is_reference ? "&" : "*");
		return;
	}
	next = d;
	plain_of(&next, &p, NULL);
	if (p.cls == DWC_RECORD && p.members)
		record_leaves(&d, t);
	struct_word(&p, t);
	t->cls = p.cls;
	t->size = p.size;
	t->is_signed = p.is_signed;
	t->is_char = p.is_char;
	snprintf(t->spelling, sizeof t->spelling, "%s", p.name);
	snprintf(t->proto_name, sizeof t->proto_name, "%s", p.proto);
}

/* The formal parameters of sub, or of its abstract origin where the
 * concrete instance lists none. */
static void params_of(Dwarf_Die *sub, struct dwarf_func *out)
{
	Dwarf_Die c, origin;
	Dwarf_Attribute a;
	Dwarf_Die *from = sub;

	if (dwarf_child(sub, &c) != 0 && dwarf_attr(sub, DW_AT_abstract_origin, &a) &&
	    dwarf_formref_die(&a, &origin))
		from = &origin;
	if (dwarf_child(from, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_unspecified_parameters)
			out->variadic = true;
		if (tag != DW_TAG_formal_parameter)
			continue;
		if (out->nargs < PROTO_MAX_ARGS) {
			snprintf(out->names[out->nargs], sizeof out->names[0], "%s", name_of(&c));
			type_of(&c, &out->args[out->nargs]);
		}
		out->nargs++;
	} while (dwarf_siblingof(&c, &c) == 0);
}

/* Whether sub's parameters are its prototype: in C, a prototyped
 * definition (a K&R `f()` says nothing of them); in C++, any. An assembler
 * CU's subprograms carry no parameters at all, other languages pass
 * differently (Fortran by reference): neither is compared. */
static bool describes_prototype(Dwarf_Die *sub)
{
	Dwarf_Die cu;
	Dwarf_Attribute a;
	bool prototyped = false;

	if (!dwarf_diecu(sub, &cu, NULL, NULL))
		return false;
	switch (dwarf_srclang(&cu)) {
	case DW_LANG_C_plus_plus:
	case DW_LANG_C_plus_plus_03:
	case DW_LANG_C_plus_plus_11:
	case DW_LANG_C_plus_plus_14:
	case 0x2a:	/* DW_LANG_C_plus_plus_17, DWARF 6, not yet in dwarf.h */
	case 0x2b:	/* DW_LANG_C_plus_plus_20 */
		return true;
	case DW_LANG_C89:
	case DW_LANG_C:
	case DW_LANG_C99:
	case DW_LANG_C11:
	case 0x2c:	/* DW_LANG_C17 */
		return dwarf_formflag(dwarf_attr_integrate(sub, DW_AT_prototyped, &a), &prototyped) == 0 &&
		       prototyped;
	default:
		return false;
	}
}

/* gfortran describes a dummy argument by its Fortran type (`integer(kind=4)
 * :: n` is an int, though passed as `const int *`), and a VALUE one alike:
 * only the location tells them apart. So a Fortran function is not compared,
 * and says why. */
static bool is_fortran(Dwarf_Die *sub)
{
	Dwarf_Die cu;

	if (!dwarf_diecu(sub, &cu, NULL, NULL))
		return false;
	switch (dwarf_srclang(&cu)) {
	case DW_LANG_Fortran77:
	case DW_LANG_Fortran90:
	case DW_LANG_Fortran95:
	case DW_LANG_Fortran03:
	case DW_LANG_Fortran08:
		return true;
	default:
		return false;
	}
}

/* The last object's debug file, kept open: the functions of one library
 * come in a row, and libdw indexes a large one's addresses (libc's) in a
 * fifth of a second. Callers take turns (dwarf.h). */
static struct {
	char path[PATH_MAX];
	char debug_file[PATH_MAX];
	struct debug_file f;
} last = { .f = { .fd = -1 } };

__attribute__((visibility("default")))
int memo_dwarf_describe(const char *path, uint64_t vaddr, struct dwarf_func *out,
			char *why, size_t whylen)
{
	struct debug_file *f = &last.f;
	Dwarf_Die sub;
	int found = 0;

	memset(out, 0, sizeof *out);
	elf_version(EV_CURRENT);
	if (!f->dw || strcmp(last.path, path)) {
		debug_close(f);
		snprintf(last.path, sizeof last.path, "%s", path);
		if (!find_debug(path, f, last.debug_file, sizeof last.debug_file, why, whylen))
			return access(path, R_OK) == 0 ? 0 : -1;
	}
	snprintf(out->debug_file, sizeof out->debug_file, "%s", last.debug_file);
	if (!find_subprogram(f->dw, vaddr, &sub)) {
		snprintf(why, whylen, "the debug info in '%s' does not describe it", out->debug_file);
	} else if (is_fortran(&sub)) {
		snprintf(why, whylen, "the debug info in '%s' describes a Fortran function, not as C "
			 "calls it (every argument by reference, CHARACTER lengths hidden): not compared",
			 out->debug_file);
	} else if (!describes_prototype(&sub)) {
		snprintf(why, whylen, "the debug info in '%s' does not give its prototype (not a "
			 "prototyped C or C++ function)", out->debug_file);
	} else {
		type_of(&sub, &out->ret);
		params_of(&sub, out);
		found = 1;
	}
	return found;
}
