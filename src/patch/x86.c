#include "patch/x86.h"

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <string.h>

/* ---- decoding ------------------------------------------------------- */

static const ZydisDecoder *x86_decoder(void)
{
	/* Set once, then only read; every caller holds runtime_lock. */
	static ZydisDecoder decoder;
	static bool ready;

	if (!ready) {
		ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		ready = true;
	}
	return &decoder;
}

static int x86_decode(const uint8_t *p, size_t len, ZydisDecodedInstruction *in,
		      ZydisDecodedOperand *ops)
{
	return ZYAN_SUCCESS(ZydisDecoderDecodeFull(x86_decoder(), p, len, in, ops)) ? 0 : -1;
}

/* x86_scan's decoding: the instruction, and its operands only where the
 * scan reads them (a relative instruction's target; test, movaps, movapd).
 * Decoding every operand of every instruction was ~60% of the scan, and the
 * scan a sixth of a start-up's instructions with ten functions patched. */
static int x86_decode_scan(const uint8_t *p, size_t len, ZydisDecodedInstruction *in,
			   ZydisDecodedOperand *ops)
{
	ZydisDecoderContext ctx;

	if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(x86_decoder(), &ctx, p, len, in)))
		return -1;
	if (!(in->attributes & ZYDIS_ATTRIB_IS_RELATIVE) && in->mnemonic != ZYDIS_MNEMONIC_TEST &&
	    in->mnemonic != ZYDIS_MNEMONIC_MOVAPS && in->mnemonic != ZYDIS_MNEMONIC_MOVAPD)
		return 0;
	return ZYAN_SUCCESS(ZydisDecoderDecodeOperands(x86_decoder(), &ctx, in, ops,
						       in->operand_count)) ? 0 : -1;
}

/* The absolute target of a relative branch, or 0 if `in` is not one. */
static uintptr_t x86_branch_target(const ZydisDecodedInstruction *in,
				   const ZydisDecodedOperand *ops, uintptr_t at)
{
	ZyanU64 t;

	if (!(in->attributes & ZYDIS_ATTRIB_IS_RELATIVE) || !in->raw.imm[0].is_relative)
		return 0;
	if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(in, &ops[0], at, &t)))
		return 0;
	return (uintptr_t)t;
}

static bool x86_is_reg(const ZydisDecodedOperand *op, ZydisRegister r)
{
	return op->type == ZYDIS_OPERAND_TYPE_REGISTER && op->reg.value == r;
}

/* What relocation needs of the decoded `in` (x86.h). */
static struct x86_insn x86_describe(const ZydisDecodedInstruction *in,
				    const ZydisDecodedOperand *ops)
{
	struct x86_insn d = { .len = in->length, .kind = X86_COPY };

	if (!(in->attributes & ZYDIS_ATTRIB_IS_RELATIVE))
		return d;
	d.kind = X86_BAD;
	d.mnemonic = (uint16_t)in->mnemonic;
	if (in->raw.imm[0].is_relative) {
		d.field = in->raw.imm[0].offset;
		d.size = in->raw.imm[0].size / 8;
		if (in->mnemonic == ZYDIS_MNEMONIC_JMP)
			d.kind = X86_JMP;
		else if (in->mnemonic == ZYDIS_MNEMONIC_CALL)
			d.kind = X86_CALL;
		else if (in->meta.category == ZYDIS_CATEGORY_COND_BR &&
			 ((in->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && (in->opcode & 0xf0) == 0x70) ||
			  (in->opcode_map == ZYDIS_OPCODE_MAP_0F && (in->opcode & 0xf0) == 0x80))) {
			d.kind = X86_JCC;
			d.cc = in->opcode & 0xf;
		}
		if (d.size != 1 && d.size != 2 && d.size != 4)
			d.kind = X86_BAD;
		return d;
	}
	for (int i = 0; i < in->operand_count; i++)
		if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[i].mem.base == ZYDIS_REGISTER_RIP) {
			if (in->raw.disp.size == 32) {
				d.kind = X86_RIPREL;
				d.field = in->raw.disp.offset;
				d.size = 4;
			}
			break;
		}
	return d;
}

int x86_displaced(struct hook *h, uintptr_t at, size_t avail, int min, struct x86_entry *e)
{
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

	e->n = e->ninsn = 0;
	while (e->n < min) {
		if (e->ninsn == X86_MAX_DISPLACED ||
		    x86_decode((const uint8_t *)at + e->n, avail - (size_t)e->n, &in, ops) < 0)
			return hook_refuse(h, REFUSE_UNDECODABLE, "undecodable instruction at +%#x",
					   (int)(at - (uintptr_t)h->target) + e->n);
		e->insn[e->ninsn++] = x86_describe(&in, ops);
		e->n += in.length;
	}
	return 0;
}

/* The address the relative field of `in` at `src` leads to: the end of the
 * instruction plus the field, sign-extended. */
static uintptr_t x86_field_target(uintptr_t src, const struct x86_insn *in)
{
	const uint8_t *f = (const uint8_t *)src + in->field;
	int64_t v;

	if (in->size == 1) {
		v = (int8_t)f[0];
	} else if (in->size == 2) {
		int16_t x;
		memcpy(&x, f, 2);
		v = x;
	} else {
		int32_t x;
		memcpy(&x, f, 4);
		v = x;
	}
	return src + in->len + (uintptr_t)v;
}

void x86_needs(const struct x86_entry *e, uintptr_t at, uintptr_t *need, int *nneed, int max)
{
	uintptr_t src = at;

	for (int i = 0; i < e->ninsn; src += e->insn[i++].len)
		if (e->insn[i].kind == X86_RIPREL && *nneed < max)
			need[(*nneed)++] = x86_field_target(src, &e->insn[i]);
}

/* ---- checks --------------------------------------------------------- */

/* Linear decoding is exact for compiler output, which puts no data among
 * instructions on x86-64. The variadic prologue is GCC's: `test al,al`,
 * then within three instructions stores of xmm0-7 into the register save
 * area; patched, the hook would see them clobbered. */
int x86_scan(struct hook *h, const char *part, uintptr_t lo, size_t size,
	     uintptr_t at, int n)
{
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	uintptr_t p = lo, t;
	int since_test_al = 100;

	while (p < lo + size) {
		if (x86_decode_scan((const uint8_t *)p, lo + size - p, &in, ops) < 0)
			return hook_refuse(h, REFUSE_UNDECODABLE, "undecodable instruction at %s+%#lx",
					   part, (unsigned long)(p - lo));
		t = x86_branch_target(&in, ops, p);
		if (t > at && t < at + (uintptr_t)n)
			return hook_refuse(h, REFUSE_BACK_JUMP,
					   "a branch at %s+%#lx jumps into the patched bytes (to +%#lx)",
					   part, (unsigned long)(p - lo),
					   (unsigned long)(t - (uintptr_t)h->target));
		if (in.mnemonic == ZYDIS_MNEMONIC_TEST && x86_is_reg(&ops[0], ZYDIS_REGISTER_AL) &&
		    x86_is_reg(&ops[1], ZYDIS_REGISTER_AL))
			since_test_al = 0;
		else if (++since_test_al <= 3 &&
			 (in.mnemonic == ZYDIS_MNEMONIC_MOVAPS || in.mnemonic == ZYDIS_MNEMONIC_MOVAPD) &&
			 ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY &&
			 ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
			 ops[1].reg.value >= ZYDIS_REGISTER_XMM0 && ops[1].reg.value <= ZYDIS_REGISTER_XMM7)
			return hook_refuse(h, REFUSE_VARIADIC, "variadic function (it saves the vector "
					   "argument registers at %s+%#lx)", part, (unsigned long)(p - lo));
		p += in.length;
	}
	return 0;
}

/* ---- relocation ----------------------------------------------------- */

int x86_put_rel32(uint8_t *buf, int pos, uintptr_t from_end, uintptr_t to)
{
	long long d = (long long)(to - from_end);
	int32_t v = (int32_t)d;

	if (d > INT32_MAX || d < INT32_MIN)
		return -1;
	memcpy(buf + pos, &v, 4);
	return 0;
}

int x86_put_abs_jmp(uint8_t *buf, int pos, uintptr_t to)
{
	static const uint8_t op[6] = { 0xff, 0x25, 0, 0, 0, 0 };
	memcpy(buf + pos, op, 6);
	memcpy(buf + pos + 6, &to, 8);
	return pos + 14;
}

/* A relative branch becomes its rel32 form, or an absolute jump or call
 * when the target is out of rel32 reach; a rip-relative operand gets its
 * displacement rewritten. 32 bytes must be left in buf: the longest form
 * (16) and the caller's jump back after the last instruction (14). */
int x86_relocate(struct hook *h, uintptr_t src, const struct x86_insn *in, uint8_t *buf,
		 int pos, int cap, uintptr_t run, int *call_end)
{
	uintptr_t here = run + (uintptr_t)pos, t;
	long off = (long)(src - (uintptr_t)h->target);

	if (pos + 32 > cap)
		return hook_refuse(h, REFUSE_UNRELOCATABLE, "trampoline overflow at +%#lx", off);
	switch (in->kind) {
	case X86_COPY:
		memcpy(buf + pos, (const void *)src, in->len);
		return pos + in->len;
	case X86_JMP:
		t = x86_field_target(src, in);
		buf[pos] = 0xe9;
		if (x86_put_rel32(buf, pos + 1, here + 5, t) == 0)
			return pos + 5;
		return x86_put_abs_jmp(buf, pos, t);
	case X86_CALL:
		t = x86_field_target(src, in);
		buf[pos] = 0xe8;
		*call_end = pos + 5;
		if (x86_put_rel32(buf, pos + 1, here + 5, t) == 0)
			return pos + 5;
		/* call [rip+2]; jmp +8; .quad t — returns into the
		 * trampoline, which goes on with the next instruction. */
		static const uint8_t op[8] = { 0xff, 0x15, 2, 0, 0, 0, 0xeb, 8 };
		*call_end = pos + 6;
		memcpy(buf + pos, op, 8);
		memcpy(buf + pos + 8, &t, 8);
		return pos + 16;
	case X86_JCC:
		t = x86_field_target(src, in);
		buf[pos] = 0x0f;
		buf[pos + 1] = (uint8_t)(0x80 | in->cc);
		if (x86_put_rel32(buf, pos + 2, here + 6, t) == 0)
			return pos + 6;
		/* j!cc over an absolute jump (the condition inverted by its
		 * low bit). */
		buf[pos] = (uint8_t)(0x70 | (in->cc ^ 1));
		buf[pos + 1] = 14;
		return x86_put_abs_jmp(buf, pos + 2, t);
	case X86_RIPREL:
		memcpy(buf + pos, (const void *)src, in->len);
		if (x86_put_rel32(buf, pos + in->field, here + in->len, x86_field_target(src, in)) < 0)
			return hook_refuse(h, REFUSE_OUT_OF_REACH, "the rip-relative operand at +%#lx "
					   "is out of reach of the trampoline", off);
		return pos + in->len;
	}
	return hook_refuse(h, REFUSE_UNRELOCATABLE, "'%s' at +%#lx cannot be relocated%s",
			   ZydisMnemonicGetString((ZydisMnemonic)in->mnemonic), off,
			   in->size ? " (a relative branch with no long form)" : "");
}
