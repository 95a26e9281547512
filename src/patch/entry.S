/*
 * entry: the one hand-written entry every entry-patched call passes through.
 * Owns the register contract between a patched caller and h->entry (the libffi
 * closure); reads the per-hook descriptor (entry.h: struct inline_desc,
 * filled by inline.c) and the vector-state layout found at start-up
 * (entry_cpu_*, owned by entry_cpu.c: entry.S refers to nothing of inline.c,
 * which refers to memo_inline_entry), and the thread's vector save slots
 * (call/scratch.h). Hot path: no memory but the stack, the save slots (mapped
 * at the thread's first full call) and l1 (through desc->hit); any thread,
 * fork-safe.
 *
 * A patched function's stub does `push [rip+desc]; jmp [rip+entry]`, so on
 * arrival: 0(%rsp) = descriptor, 8(%rsp) = the caller's return address,
 * 16(%rsp).. = the caller's stack-passed arguments.
 *
 * Why save everything: at -O2 GCC's IPA-RA lets a caller keep values in
 * caller-saved registers (integer and vector) across a call to a local
 * function it knows leaves them alone, and may call such a function on a
 * stack that is not 16-byte aligned. The closure obeys only the psABI, so
 * this entry saves every general-purpose register but %rsp, the flags and,
 * for a caller in the hooked function's own object (the only place IPA-RA
 * reaches; a caller elsewhere gets MXCSR back alone), the
 * vector state (by hand for SSE and AVX, else XSAVE with XCR0 minus x87; the
 * x87 stack is never restored, so a long double result in st(0) survives),
 * aligns the stack, copies the caller's stack
 * arguments where the closure expects them, calls the closure, and restores
 * all but the registers that carry the return value (desc->keep). Where
 * desc->call is set (call.c's call_entry: arguments and result that fit
 * this frame), it is called instead of the closure, with the frame: libffi's
 * closure frames (~450 bytes) would be a level of memoized recursion's too.
 * Before the vector save, desc->hit (l1_entry_hit, when the hook's calls
 * qualify) may serve the call from l1 with integer code only: the vector
 * registers are then left as they are, never saved, and the integer ones
 * are restored from their pushed copies like on the full path.
 * The CFI lets an unwinder walk from inside the closure to the caller.
 */

#include <sys/syscall.h>

#include "call/entry.h"
#include "call/scratch.h"

#define XMM0_AT		160	/* XMM0 in the XSAVE legacy region (and in the by-hand modes) */
#define YMM_HI_AT	576	/* YMM0's upper half in XSAVE's standard layout */

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

	/* The early hit: l1_entry_hit reads the arguments from the frame
	 * (entry.h) and touches no vector register, so none is saved for it.
	 * Storing the low halves of the vector arguments and MXCSR changes
	 * nothing; VEX forms where AVX is on (no SSE/AVX transition). */
	subq	$FRAME_SIZE, %rsp
	movq	8(%rbp), %rdi
	cmpq	$0, DESC_HIT(%rdi)
	je	14f
	movq	%rsp, %rsi
	cmpb	$0, entry_cpu_vec_mode(%rip)
	jne	10f
	.irp i, 0,1,2,3,4,5,6,7
	movq	%xmm\i, FRAME_XMM0+\i*8(%rsi)
	.endr
	stmxcsr	FRAME_MXCSR(%rsi)
	jmp	11f
10:
	.irp i, 0,1,2,3,4,5,6,7
	vmovq	%xmm\i, FRAME_XMM0+\i*8(%rsi)
	.endr
	vstmxcsr FRAME_MXCSR(%rsi)
11:	andq	$-16, %rsp
	call	*DESC_HIT(%rdi)
	testl	%eax, %eax
	jz	14f
	/* Served: the result replaces the saved %rax, or goes to %xmm0 (the
	 * only registers an entry hit returns in). */
	movq	8(%rbp), %rbx
	movq	(FRAME_RET - FRAME_RBP)(%rbp), %rax
	testb	$KEEP_RAX, DESC_KEEP(%rbx)
	jz	12f
	movq	%rax, -16(%rbp)
12:	testb	$KEEP_XMM0, DESC_KEEP(%rbx)
	jz	9f
	cmpb	$0, entry_cpu_vec_mode(%rip)
	jne	13f
	movq	%rax, %xmm0
	jmp	9f
13:	vmovq	%rax, %xmm0
	jmp	9f

	/* The full path. The early hit may have changed the caller-saved
	 * integer registers (restored from their saved copies below), nothing
	 * else. The frame stays: desc->call reads the arguments there. */
14:	leaq	-(120 + FRAME_SIZE)(%rbp), %rsp
	/* A caller outside the hooked function's object (its return address
	 * past desc's range of that object's code) keeps nothing in vector
	 * registers across the call: the psABI leaves them all to the callee,
	 * and GCC's IPA-RA, which may not, reaches only callees it compiled
	 * with the caller, in the same object. Such a call saves MXCSR alone
	 * (%r12 = 0: no vector state), not 1-2.5 KiB of vector state. (A call
	 * relocated into a trampoline returns elsewhere: inline.c then makes
	 * every desc's range everything.) */
	movq	8(%rbp), %rax
	movq	16(%rbp), %rcx
	subq	DESC_CALLER_LO(%rax), %rcx
	cmpq	DESC_CALLER_SPAN(%rax), %rcx
	jb	15f
	stmxcsr	FRAME_MXCSR(%rsp)
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	andq	$-16, %rsp
	jmp	2f
15:
	/* Vector state, 64-byte aligned, in this thread's next save slot
	 * (call/scratch.h: the caller's stack may be small); on the stack when
	 * there is none. %r12 keeps its address across the call, %r13 whether it
	 * is a slot (both restored from their saved copies at the end). */
	movq	memo_vec_top@gottpoff(%rip), %rax
	movq	%fs:(%rax), %r12
	testq	%r12, %r12
	jz	20f
21:	movq	%r12, %r13
	addq	entry_cpu_xsave_size(%rip), %r13
	movq	memo_vec_end@gottpoff(%rip), %rcx
	cmpq	%fs:(%rcx), %r13
	ja	22f
	/* One store takes it: a signal handler's call that takes the same slot
	 * before it gives it back before this entry goes on. */
	movq	%r13, %fs:(%rax)
	movl	$1, %r13d
	andq	$-16, %rsp
	jmp	23f

	/* No slot: the stack. */
22:	xorl	%r13d, %r13d
	subq	entry_cpu_xsave_size(%rip), %rsp
	andq	$-64, %rsp
	movq	%rsp, %r12
	jmp	23f

	/* This thread's first full call: map its slots, VEC_SLOTS of them, with
	 * a bare mmap (no vector register saved yet). A signal handler's call
	 * may map them meanwhile: the first mapping published stays. */
20:	movq	entry_cpu_xsave_size(%rip), %rsi
	imulq	$VEC_SLOTS, %rsi
	xorl	%edi, %edi
	movl	$3		/* PROT_READ | PROT_WRITE */, %edx
	movl	$0x4022, %r10d	/* MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE */
	movq	$-1, %r8
	xorl	%r9d, %r9d
	movl	$SYS_mmap, %eax
	syscall
	cmpq	$-4095, %rax
	jae	22b
	movq	%rax, %rdx
	movq	memo_vec_base@gottpoff(%rip), %rcx
	xorl	%eax, %eax
	lock cmpxchgq %rdx, %fs:(%rcx)
	je	24f
	movq	%rax, %r12		/* lost: theirs stays, ours goes */
	movq	%rdx, %rdi
	movl	$SYS_munmap, %eax
	syscall
	movq	%r12, %rdx
24:	addq	%rdx, %rsi
	movq	memo_vec_end@gottpoff(%rip), %rcx
	movq	%rsi, %fs:(%rcx)
	movq	memo_vec_top@gottpoff(%rip), %rcx
	xorl	%eax, %eax
	lock cmpxchgq %rdx, %fs:(%rcx)
	movq	memo_vec_top@gottpoff(%rip), %rax
	movq	%fs:(%rax), %r12
	jmp	21b
23:
	/* entry_cpu_vec_mode: 0 SSE only, 1 AVX (ymm halves stored by hand, in
	 * XSAVE's standard layout), 2 XSAVE, 3 XSAVEC (AVX-512). By hand is
	 * several times faster than XSAVE/XRSTOR where both apply. */
	movzbl	entry_cpu_vec_mode(%rip), %eax
	cmpl	$2, %eax
	jae	3f
	stmxcsr	24(%r12)
	cmpl	$1, %eax
	je	1f
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqa	%xmm\i, XMM0_AT+\i*16(%r12)
	.endr
	jmp	2f
1:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqa	%xmm\i, XMM0_AT+\i*16(%r12)
	vextractf128 $1, %ymm\i, YMM_HI_AT+\i*16(%r12)
	.endr
	jmp	2f
3:	/* XRSTOR faults on a dirty header, and XSAVE writes only XSTATE_BV. */
	xorl	%ecx, %ecx
	.irp o, 0,8,16,24,32,40,48,56
	movq	%rcx, 512+\o(%r12)
	.endr
	cmpl	$3, %eax
	movl	entry_cpu_xsave_mask(%rip), %eax
	movl	entry_cpu_xsave_mask+4(%rip), %edx
	je	33f
	xsave	(%r12)
	jmp	2f
	/* XSAVEC: the compacted form, which skips the components the caller
	 * left in their initial state (XSTATE_BV clear) and the gaps between
	 * the rest; XRSTOR reads either form. Where it skipped the SSE state
	 * (every XMM register zero), XRSTOR of the compacted form may set
	 * MXCSR to its initial value: so the XMM area is written as the zeros
	 * it stands for, with this MXCSR, and marked valid. */
33:	xsavec	(%r12)
	testb	$2, 512(%r12)
	jnz	2f
	stmxcsr	24(%r12)
	pxor	%xmm2, %xmm2
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqa	%xmm2, XMM0_AT+\i*16(%r12)
	.endr
	orb	$2, 512(%r12)
2:
	movq	8(%rbp), %rbx
	cmpq	$0, DESC_CALL(%rbx)
	jne	30f
	/* The caller's stack arguments, copied so that the closure finds them
	 * right above its return address, as the caller laid them out. The
	 * size is a multiple of 16, so the call happens on an aligned stack. */
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
	movq	-64(%rbp), %r8
	movq	-72(%rbp), %r9
	call	*DESC_ENTRY(%rbx)

	/* The return registers replace their saved values, so the restore
	 * below gives them back and everything else as the caller left it. */
31:	movq	DESC_KEEP(%rbx), %rcx
	testb	$KEEP_RAX, %cl
	jz	3f
	movq	%rax, -16(%rbp)
3:	testb	$KEEP_RDX, %cl
	jz	4f
	movq	%rdx, -40(%rbp)
4:	testq	%r12, %r12
	jz	16f
	testb	$(KEEP_XMM0 | KEEP_XMM1), %cl
	jz	6f
	cmpb	$2, entry_cpu_vec_mode(%rip)
	jb	5f
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
6:	movzbl	entry_cpu_vec_mode(%rip), %eax
	cmpl	$2, %eax
	jae	8f
	ldmxcsr	24(%r12)
	cmpl	$1, %eax
	je	7f
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqa	XMM0_AT+\i*16(%r12), %xmm\i
	.endr
	jmp	90f
7:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqa	XMM0_AT+\i*16(%r12), %xmm\i
	vinsertf128 $1, YMM_HI_AT+\i*16(%r12), %ymm\i, %ymm\i
	.endr
	jmp	90f
8:	movl	entry_cpu_xsave_mask(%rip), %eax
	movl	entry_cpu_xsave_mask+4(%rip), %edx
	xrstor	(%r12)
	jmp	90f
	/* No vector state saved (a caller outside the object, above): the
	 * results are in their registers already, and MXCSR goes back as the
	 * caller had it. (The code between leaves the upper halves of ymm0-15
	 * clean: compiled code clears them before it returns.) */
16:	ldmxcsr	(FRAME_MXCSR - (120 + FRAME_SIZE))(%rbp)
	jmp	9f
	/* The slot given back when it is the top one. A slot above it still
	 * taken may be live: another coroutine's call, in progress on another
	 * stack (makecontext), which a give-back below would hand to the next
	 * call. So this one then stays taken, as do slots a longjmp or an
	 * exception left; when the area is full, entry saves on the stack.
	 * A signal handler's call between the compare and the store takes
	 * the slot above and gives it back before this goes on. */
90:	testl	%r13d, %r13d
	jz	9f
	movq	memo_vec_top@gottpoff(%rip), %rax
	movq	%r12, %rcx
	addq	entry_cpu_xsave_size(%rip), %rcx
	cmpq	%rcx, %fs:(%rax)
	jne	9f
	movq	%r12, %fs:(%rax)
9:
	.cfi_remember_state
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
	.cfi_restore_state

	/* desc->call (call_entry) instead of the closure, whose frames would
	 * stay on the stack for the body's time: it finds the arguments in
	 * this frame (entry.h), the integer ones pushed above, the stack ones
	 * in the caller's frame, and the vector ones' low halves stored here
	 * now (the registers still hold the caller's values). The result
	 * comes back in the frame's result slot, for %rax or %xmm0. */
30:	leaq	-(120 + FRAME_SIZE)(%rbp), %rsi
	cmpb	$0, entry_cpu_vec_mode(%rip)
	jne	32f
	.irp i, 0,1,2,3,4,5,6,7
	movq	%xmm\i, FRAME_XMM0+\i*8(%rsi)
	.endr
	movq	%rbx, %rdi
	call	*DESC_CALL(%rbx)
	movq	(FRAME_RET - FRAME_RBP)(%rbp), %rax
	movq	%rax, %xmm0
	jmp	31b
32:	.irp i, 0,1,2,3,4,5,6,7
	vmovq	%xmm\i, FRAME_XMM0+\i*8(%rsi)
	.endr
	movq	%rbx, %rdi
	call	*DESC_CALL(%rbx)
	movq	(FRAME_RET - FRAME_RBP)(%rbp), %rax
	vmovq	%rax, %xmm0
	jmp	31b
	.cfi_endproc
	.size	memo_inline_entry, .-memo_inline_entry

	.section .note.GNU-stack, "", @progbits
