/* Loaded by dlopen after start (t0503, t0504): its functions are patched then.
 * Built with -fcf-protection: entries start with endbr64.
 *
 * inl_late is patched while other threads run (t0504), so its first
 * instruction after endbr64 must be one the 5-byte jump replaces whole (t0511
 * says why); written by hand to be sure: a 5-byte mov, then the body. Its 5
 * bytes sit at +4 of a 16-byte aligned block, straddling 8-byte words. */
#include "runs.h"

__attribute__((used)) static long inl_late_body(long x)
{
	test_ran("inl_late");
	return x * x + 3;
}

long inl_late(long x);
__asm__(".globl inl_late\n"
	".type inl_late, @function\n"
	".p2align 4\n"
	"inl_late:\n"
	"	endbr64\n"
	"	movl $0, %eax\n"	/* b8 00 00 00 00 */
	"	jmp inl_late_body\n"
	".size inl_late, .-inl_late\n");
