/*
 * entry: the one hand-written entry every entry-patched call passes through.
 * Owns the register contract between a patched caller and h->entry (the libffi
 * closure); reads the per-hook descriptor (inline.c: struct inline_desc) and
 * the vector-state layout found at start-up (memo_xsave_*). Hot path: no
 * memory but the stack, any thread, fork-safe.
 *
 * A patched function's stub does `push [rip+desc]; jmp [rip+entry]`, so on
 * arrival: 0(%rsp) = descriptor, 8(%rsp) = the caller's return address,
 * 16(%rsp).. = the caller's stack-passed arguments.
 *
 * Why save everything: at -O2 GCC's IPA-RA lets a caller keep values in
 * caller-saved registers (integer and vector) across a call to a local
 * function it knows leaves them alone, and may call such a function on a
 * stack that is not 16-byte aligned. The closure obeys only the psABI, so
 * this entry saves every general-purpose register but %rsp, the flags and the
 * vector state (XSAVE with XCR0 minus x87, so a long double result in st(0)
 * survives the restore), aligns the stack, copies the caller's stack
 * arguments where the closure expects them, calls the closure, and restores
 * all but the registers that carry the return value (desc->keep).
 * The CFI lets an unwinder walk from inside the closure to the caller.
 */

#define DESC_ENTRY	0
#define DESC_STACK	8
#define DESC_KEEP	16
#define KEEP_RAX	1
#define KEEP_RDX	2
#define KEEP_XMM0	4
#define KEEP_XMM1	8
#define XMM0_AT		160	/* XMM0 in the XSAVE legacy region (and in our fallback) */

	.text
	.globl	memo_inline_entry
	.hidden	memo_inline_entry
	.type	memo_inline_entry, @function
	.p2align 4
memo_inline_entry:
	.cfi_startproc
	/* The stub's push sits below the return address: the caller's frame
	 * (the CFA) starts 16 bytes up. */
	.cfi_def_cfa_offset 16
	endbr64
	pushq	%rbp
	.cfi_def_cfa_offset 24
	.cfi_offset %rbp, -24
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	/* CFA = %rbp + 24; saved at %rbp - 8k: flags, rax, rbx, rcx, rdx, rsi,
	 * rdi, r8..r15. */
	pushfq
	pushq	%rax
	pushq	%rbx
	.cfi_offset %rbx, -48
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	.cfi_offset %r12, -120
	pushq	%r13
	.cfi_offset %r13, -128
	pushq	%r14
	.cfi_offset %r14, -136
	pushq	%r15
	.cfi_offset %r15, -144
	cld

	/* Vector state, 64-byte aligned; %r12 keeps its address across the call. */
	subq	memo_xsave_size(%rip), %rsp
	andq	$-64, %rsp
	movq	%rsp, %r12
	cmpb	$0, memo_have_xsave(%rip)
	je	1f
	/* XRSTOR faults on a dirty header, and XSAVE writes only XSTATE_BV. */
	xorl	%eax, %eax
	movq	%rax, 512(%r12)
	movq	%rax, 520(%r12)
	movq	%rax, 528(%r12)
	movq	%rax, 536(%r12)
	movq	%rax, 544(%r12)
	movq	%rax, 552(%r12)
	movq	%rax, 560(%r12)
	movq	%rax, 568(%r12)
	movl	memo_xsave_mask(%rip), %eax
	movl	memo_xsave_mask+4(%rip), %edx
	xsave	(%r12)
	jmp	2f
1:	stmxcsr	24(%r12)
	movdqa	%xmm0, XMM0_AT+0*16(%r12)
	movdqa	%xmm1, XMM0_AT+1*16(%r12)
	movdqa	%xmm2, XMM0_AT+2*16(%r12)
	movdqa	%xmm3, XMM0_AT+3*16(%r12)
	movdqa	%xmm4, XMM0_AT+4*16(%r12)
	movdqa	%xmm5, XMM0_AT+5*16(%r12)
	movdqa	%xmm6, XMM0_AT+6*16(%r12)
	movdqa	%xmm7, XMM0_AT+7*16(%r12)
	movdqa	%xmm8, XMM0_AT+8*16(%r12)
	movdqa	%xmm9, XMM0_AT+9*16(%r12)
	movdqa	%xmm10, XMM0_AT+10*16(%r12)
	movdqa	%xmm11, XMM0_AT+11*16(%r12)
	movdqa	%xmm12, XMM0_AT+12*16(%r12)
	movdqa	%xmm13, XMM0_AT+13*16(%r12)
	movdqa	%xmm14, XMM0_AT+14*16(%r12)
	movdqa	%xmm15, XMM0_AT+15*16(%r12)
2:
	/* The caller's stack arguments, copied so that the closure finds them
	 * right above its return address, as the caller laid them out. The
	 * size is a multiple of 16, so the call happens on an aligned stack. */
	movq	8(%rbp), %rbx
	movq	DESC_STACK(%rbx), %rcx
	subq	%rcx, %rsp
	movq	%rsp, %rdi
	leaq	24(%rbp), %rsi
	rep movsb
	movq	-16(%rbp), %rax
	movq	-32(%rbp), %rcx
	movq	-40(%rbp), %rdx
	movq	-48(%rbp), %rsi
	movq	-56(%rbp), %rdi
	call	*DESC_ENTRY(%rbx)

	/* The return registers replace their saved values, so the restore
	 * below gives them back and everything else as the caller left it. */
	movq	DESC_KEEP(%rbx), %rcx
	testb	$KEEP_RAX, %cl
	jz	3f
	movq	%rax, -16(%rbp)
3:	testb	$KEEP_RDX, %cl
	jz	4f
	movq	%rdx, -40(%rbp)
4:	testb	$(KEEP_XMM0 | KEEP_XMM1), %cl
	jz	6f
	cmpb	$0, memo_have_xsave(%rip)
	je	5f
	/* XSAVE skips the XMM area when every XMM register was zero (XSTATE_BV
	 * bit 1 clear); XRSTOR would then zero them again. To put a result in
	 * that area, write the zeros it stands for and mark the area valid. */
	testb	$2, 512(%r12)
	jnz	5f
	pxor	%xmm2, %xmm2
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqa	%xmm2, XMM0_AT+\i*16(%r12)
	.endr
	orb	$2, 512(%r12)
5:	testb	$KEEP_XMM0, %cl
	jz	55f
	movdqa	%xmm0, XMM0_AT(%r12)
55:	testb	$KEEP_XMM1, %cl
	jz	6f
	movdqa	%xmm1, XMM0_AT+16(%r12)
6:	cmpb	$0, memo_have_xsave(%rip)
	je	7f
	movl	memo_xsave_mask(%rip), %eax
	movl	memo_xsave_mask+4(%rip), %edx
	xrstor	(%r12)
	jmp	9f
7:	ldmxcsr	24(%r12)
	movdqa	XMM0_AT+0*16(%r12), %xmm0
	movdqa	XMM0_AT+1*16(%r12), %xmm1
	movdqa	XMM0_AT+2*16(%r12), %xmm2
	movdqa	XMM0_AT+3*16(%r12), %xmm3
	movdqa	XMM0_AT+4*16(%r12), %xmm4
	movdqa	XMM0_AT+5*16(%r12), %xmm5
	movdqa	XMM0_AT+6*16(%r12), %xmm6
	movdqa	XMM0_AT+7*16(%r12), %xmm7
	movdqa	XMM0_AT+8*16(%r12), %xmm8
	movdqa	XMM0_AT+9*16(%r12), %xmm9
	movdqa	XMM0_AT+10*16(%r12), %xmm10
	movdqa	XMM0_AT+11*16(%r12), %xmm11
	movdqa	XMM0_AT+12*16(%r12), %xmm12
	movdqa	XMM0_AT+13*16(%r12), %xmm13
	movdqa	XMM0_AT+14*16(%r12), %xmm14
	movdqa	XMM0_AT+15*16(%r12), %xmm15
9:
	leaq	-120(%rbp), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	popfq
	popq	%rbp
	.cfi_def_cfa %rsp, 16
	.cfi_restore %rbp
	.cfi_restore %rbx
	.cfi_restore %r12
	.cfi_restore %r13
	.cfi_restore %r14
	.cfi_restore %r15
	/* Drop the descriptor without touching the restored flags. */
	leaq	8(%rsp), %rsp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.size	memo_inline_entry, .-memo_inline_entry

	.section .note.GNU-stack, "", @progbits
