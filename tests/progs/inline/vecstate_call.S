/*
 * vecstate_call: t0426's calls with every AVX-512 register set. Loads MXCSR,
 * k0-k7 and zmm0-31 from *in (or zeroes them with vzeroall and MXCSR as in
 * *in when in->zero), calls vleaf_i or vleaf_d (memoized by entry patching),
 * and stores what the call left in the same registers into *out.
 *   void vecstate_call(const struct vstate *in, struct vstate *out, long x, int dbl)
 * struct vstate (vecstate.c): zmm[32][64] at 0, k[8] at 2048, mxcsr at 2112,
 * zero at 2116, rax at 2120.
 */
	.text
	.globl	vecstate_call
	.type	vecstate_call, @function
vecstate_call:
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	subq	$8, %rsp		/* aligned for the call */
	movq	%rdi, %rbx
	movq	%rsi, %r12
	movq	%rdx, %r13
	movl	%ecx, %r14d
	ldmxcsr	2112(%rbx)
	.irp i, 0,1,2,3,4,5,6,7
	kmovq	2048+\i*8(%rbx), %k\i
	.endr
	cmpl	$0, 2116(%rbx)
	jne	1f
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 \i*64(%rbx), %zmm\i
	.endr
	jmp	2f
1:	vzeroall
	.irp i, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vpxord	%zmm\i, %zmm\i, %zmm\i
	.endr
2:	movq	%r13, %rdi
	testl	%r14d, %r14d
	jnz	3f
	call	vleaf_i
	jmp	4f
3:	call	vleaf_d
4:	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 %zmm\i, \i*64(%r12)
	.endr
	.irp i, 0,1,2,3,4,5,6,7
	kmovq	%k\i, 2048+\i*8(%r12)
	.endr
	stmxcsr	2112(%r12)
	movq	%rax, 2120(%r12)
	movl	$0x1f80, (%rsp)
	ldmxcsr	(%rsp)
	vzeroupper
	addq	$8, %rsp
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	ret
	.size	vecstate_call, .-vecstate_call

	.section .note.GNU-stack, "", @progbits
