/*
 * dlopen_thunk: where patched GOT slots for dlopen and dlmopen lead.
 * Calls got_dlopen_gadget and got_thunk_after (got.c) and the real function.
 * Any thread, reentrant (a constructor may dlopen again): all state is on the
 * caller's stack.
 *
 * glibc takes the caller of dlopen from its return address: that object's
 * RUNPATH, $ORIGIN and namespace decide what is loaded. A C wrapper would make
 * libmemo the caller. So the thunk enters the real dlopen with the stack
 *
 *	[gadget]	a `ret` byte inside the caller's own code: what dlopen sees
 *	[cont]		where that `ret` goes: the thunk's continuation
 *	[R]		the caller's return address, untouched
 *
 * dlopen returns to the gadget, the gadget returns to cont, cont runs the GOT
 * pass for what was loaded and returns to R with the handle in rax. When no
 * gadget is found the thunk is a plain tail call (no pass follows).
 * Under IBT the entries are reached by indirect calls and jumps, so they start
 * with endbr64; cont is reached by `ret`, which IBT does not check. A shadow
 * stack (CET SHSTK) would reject both returns: it is off in glibc 2.36.
 */
	.text

	.globl	got_dlopen_thunk
	.hidden	got_dlopen_thunk
	.type	got_dlopen_thunk, @function
got_dlopen_thunk:
	.cfi_startproc
	endbr64
	leaq	got_real_dlopen(%rip), %rax
	jmp	got_thunk_common
	.cfi_endproc
	.size	got_dlopen_thunk, .-got_dlopen_thunk

	.globl	got_dlmopen_thunk
	.hidden	got_dlmopen_thunk
	.type	got_dlmopen_thunk, @function
got_dlmopen_thunk:
	.cfi_startproc
	endbr64
	leaq	got_real_dlmopen(%rip), %rax
	jmp	got_thunk_common
	.cfi_endproc
	.size	got_dlmopen_thunk, .-got_dlmopen_thunk

/* rax = the address of the real function's pointer; rdi, rsi, rdx = its
 * arguments (dlopen takes two, dlmopen three); [rsp] = R. */
	.type	got_thunk_common, @function
got_thunk_common:
	.cfi_startproc
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	pushq	%rsi
	.cfi_adjust_cfa_offset 8
	pushq	%rdx
	.cfi_adjust_cfa_offset 8
	pushq	%rax
	.cfi_adjust_cfa_offset 8
	subq	$8, %rsp		/* 16-byte alignment for the call */
	.cfi_adjust_cfa_offset 8
	movq	40(%rsp), %rdi		/* R */
	call	got_dlopen_gadget
	movq	%rax, %r11
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%rax
	.cfi_adjust_cfa_offset -8
	popq	%rdx
	.cfi_adjust_cfa_offset -8
	popq	%rsi
	.cfi_adjust_cfa_offset -8
	popq	%rdi
	.cfi_adjust_cfa_offset -8
	movq	(%rax), %rax		/* the real dlopen or dlmopen */
	testq	%r11, %r11
	jz	1f
	leaq	got_thunk_cont(%rip), %r10
	pushq	%r10
	pushq	%r11
1:	jmp	*%rax
	.cfi_endproc
	.size	got_thunk_common, .-got_thunk_common

/* Reached from the gadget's `ret` with [rsp] = R and rax = the handle: a
 * frame like a function entry, so unwinding from got_thunk_after reaches R. */
	.type	got_thunk_cont, @function
got_thunk_cont:
	.cfi_startproc
	pushq	%rax
	.cfi_adjust_cfa_offset 8
	movq	%rax, %rdi
	call	got_thunk_after
	popq	%rax
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	got_thunk_cont, .-got_thunk_cont

	.section .note.GNU-stack,"",@progbits
