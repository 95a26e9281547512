/*
 * zydis_calls: the engine's calls into Zydis, loaded at the first one
 * (src/base/lazylib.h): src/patch/x86.c decodes a function's entry only
 * when src/patch/decode_cache.c has no plan for its bytes, and
 * src/find/identity.c at a hook's first call, so a start-up whose entries
 * were all decoded before, in a process that never calls them, maps no
 * Zydis (its ~2,600 relocations were ~20 page faults a start).
 * Without the library, every decode fails (ZYAN_STATUS_FAILED): a function
 * whose entry no earlier process decoded is refused as undecodable, and a
 * code identity cannot be computed (the function runs unmemoized).
 * Calls lazylib. Start-up, dlopen and a hook's first call only, as its
 * callers.
 */
#include <Zydis/Zydis.h>

#include "base/lazylib.h"

/* Each function: X(return type, name, parameters, arguments, on failure). */
#define ZYDIS_CALLS(X)											\
	X(ZyanStatus, ZydisDecoderInit, (ZydisDecoder *decoder, ZydisMachineMode machine_mode,	\
	  ZydisStackWidth stack_width), (decoder, machine_mode, stack_width), ZYAN_STATUS_FAILED)	\
	X(ZyanStatus, ZydisDecoderDecodeFull, (const ZydisDecoder *decoder, const void *buffer,	\
	  ZyanUSize length, ZydisDecodedInstruction *instruction,					\
	  ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT]),					\
	  (decoder, buffer, length, instruction, operands), ZYAN_STATUS_FAILED)			\
	X(ZyanStatus, ZydisDecoderDecodeInstruction, (const ZydisDecoder *decoder,			\
	  ZydisDecoderContext *context, const void *buffer, ZyanUSize length,				\
	  ZydisDecodedInstruction *instruction), (decoder, context, buffer, length, instruction),	\
	  ZYAN_STATUS_FAILED)										\
	X(ZyanStatus, ZydisDecoderDecodeOperands, (const ZydisDecoder *decoder,			\
	  const ZydisDecoderContext *context, const ZydisDecodedInstruction *instruction,		\
	  ZydisDecodedOperand *operands, ZyanU8 operand_count),						\
	  (decoder, context, instruction, operands, operand_count), ZYAN_STATUS_FAILED)		\
	X(ZyanStatus, ZydisCalcAbsoluteAddress, (const ZydisDecodedInstruction *instruction,		\
	  const ZydisDecodedOperand *operand, ZyanU64 runtime_address, ZyanU64 *result_address),	\
	  (instruction, operand, runtime_address, result_address), ZYAN_STATUS_FAILED)		\
	X(const char *, ZydisMnemonicGetString, (ZydisMnemonic mnemonic), (mnemonic), "?")

#define STUB(ret, name, params, args, fail) LAZYLIB_STUB(zydis, I_##name, ret, name, params, args, fail)

enum { ZYDIS_CALLS(LAZYLIB_INDEX) NCALLS };
static const char *const names[NCALLS] = { ZYDIS_CALLS(LAZYLIB_NAME) };
static void *fns[NCALLS];
static struct lazylib zydis = {
	"libZydis.so.4.0", "a function whose entry no earlier process decoded is not "
	"entry-patched, and no code identity is computed", names, fns, NCALLS, 0,
};

ZYDIS_CALLS(STUB)
