/*
 * Prologues for t0502, written in assembly so the bytes are exactly the case
 * tested. Each function is 16-byte aligned and has a .size (inline_prepare
 * reads st_size to check the whole function).
 */
	.text

/* A RIP-relative load as the first instruction (48 8b 05 disp32). */
	.globl	p_riprel
	.type	p_riprel, @function
	.p2align 4
p_riprel:
	movq	p_value(%rip), %rax
	addq	%rdi, %rax
	ret
	.size	p_riprel, .-p_riprel

/* A 0x66-prefixed RIP-relative SSE load first (66 0f 28 0d disp32), the
 * form capstone 4 misdecodes. double p_sse66(double x) = x + 0.5 */
	.globl	p_sse66
	.type	p_sse66, @function
	.p2align 4
p_sse66:
	movapd	p_half(%rip), %xmm1
	addsd	%xmm1, %xmm0
	ret
	.size	p_sse66, .-p_sse66

/* endbr64, then a 5-byte instruction: the jump goes after endbr64.
 * long p_endbr(long x) = 3x + 7 */
	.globl	p_endbr
	.type	p_endbr, @function
	.p2align 4
p_endbr:
	endbr64
	leaq	7(%rdi,%rdi,2), %rax
	nop
	ret
	.size	p_endbr, .-p_endbr

/* A short conditional jump and a call inside the first 5 bytes:
 * int p_jcc_call(int x) = x <= 0 ? -1 : 2x + 1 */
	.globl	p_jcc_call
	.type	p_jcc_call, @function
	.p2align 4
p_jcc_call:
	testl	%edi, %edi
	jle	1f
	call	p_double
	addl	$1, %eax
	ret
1:	movl	$-1, %eax
	ret
	.size	p_jcc_call, .-p_jcc_call

	.type	p_double, @function
	.p2align 4
p_double:
	leal	(%rdi,%rdi), %eax
	ret
	.size	p_double, .-p_double

/* A loop whose back edge lands at +2, inside the 5 patched bytes: refused.
 * int p_backedge(int n) = max(n, 1) */
	.globl	p_backedge
	.type	p_backedge, @function
	.p2align 4
p_backedge:
	xorl	%eax, %eax
1:	addl	$1, %eax
	subl	$1, %edi
	jg	1b
	ret
	.size	p_backedge, .-p_backedge

/* A 3-byte function: shorter than the jump, refused. int p_tiny(int x) = x */
	.globl	p_tiny
	.type	p_tiny, @function
	.p2align 4
p_tiny:
	movl	%edi, %eax
	ret
	.size	p_tiny, .-p_tiny

/* Faults in its first instruction when given NULL: the fault happens in the
 * trampoline, and the crash handler must name the hook. */
	.globl	p_crash
	.type	p_crash, @function
	.p2align 4
p_crash:
	movl	(%rdi), %eax
	addl	$1, %eax
	ret
	.size	p_crash, .-p_crash

/* Its first instruction calls a helper that faults when given NULL: the
 * fault is one frame below the trampoline, whose relocated call's return
 * address the crash handler must find on the stack. */
	.globl	p_call_crash
	.type	p_call_crash, @function
	.p2align 4
p_call_crash:
	call	p_load
	addl	$1, %eax
	ret
	.size	p_call_crash, .-p_call_crash

	.type	p_load, @function
	.p2align 4
p_load:
	movl	(%rdi), %eax
	ret
	.size	p_load, .-p_load

	.section .rodata
	.p2align 4
p_value:
	.quad	1000
	.quad	0
p_half:
	.double	0.5, 0.5

	.section .note.GNU-stack, "", @progbits
