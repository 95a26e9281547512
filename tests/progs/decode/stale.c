/*
 * t0118's target, built twice: pick(x) begins, in stale1, with a
 * rip-relative load (8b 05 disp32: 6 bytes) and, in stale2 (-DVARIANT=2),
 * with a move of an immediate and a nop (b8 imm32, 90: 6 bytes). The two
 * files have one size, so one can be written over the other keeping its
 * inode, size and mtime: a plan kept for stale1's entry, used for stale2's,
 * would rewrite stale2's immediate as a displacement. Prints pick(0..4).
 */
#include <stdio.h>

const int pick_base = 1000;
int pick(int x);

__asm__(".text\n"
	".globl pick\n"
	".type pick, @function\n"
	"pick:\n"
#if VARIANT == 2
	"	movl $2000, %eax\n"
	"	nop\n"
#else
	"	movl pick_base(%rip), %eax\n"
#endif
	"	addl %edi, %eax\n"
	"	ret\n"
	".size pick, .-pick\n");

int main(void)
{
	for (int i = 0; i < 5; i++)
		printf("pick(%d) = %d\n", i, pick(i));
	return 0;
}
