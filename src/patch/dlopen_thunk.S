/*
 * dlopen_thunk: where patched GOT slots for dlopen and dlmopen lead.
 * Calls what got.c put in dlopen_thunk_env (dlopen_thunk.h): the gadget
 * finder, the real function and the pass after it. It names no symbol of
 * got.c, so the two files do not call each other.
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
#include "patch/dlopen_thunk.h"

	.bss
	.globl	dlopen_thunk_env
	.hidden	dlopen_thunk_env
	.type	dlopen_thunk_env, @object
	.balign	8
dlopen_thunk_env:
	.zero	ENV_SIZE
	.size	dlopen_thunk_env, ENV_SIZE

	.text

	.globl	dlopen_thunk
	.hidden	dlopen_thunk
	.type	dlopen_thunk, @function
dlopen_thunk:
	.cfi_startproc
	endbr64
	leaq	dlopen_thunk_env+ENV_REAL_DLOPEN(%rip), %rax
	jmp	thunk_common
	.cfi_endproc
	.size	dlopen_thunk, .-dlopen_thunk

	.globl	dlmopen_thunk
	.hidden	dlmopen_thunk
	.type	dlmopen_thunk, @function
dlmopen_thunk:
	.cfi_startproc
	endbr64
	leaq	dlopen_thunk_env+ENV_REAL_DLMOPEN(%rip), %rax
	jmp	thunk_common
	.cfi_endproc
	.size	dlmopen_thunk, .-dlmopen_thunk

/* rax = the address of the real function's pointer; rdi, rsi, rdx = its
 * arguments (dlopen takes two, dlmopen three); [rsp] = R. */
	.type	thunk_common, @function
thunk_common:
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
	call	*dlopen_thunk_env+ENV_GADGET(%rip)
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
	leaq	thunk_cont(%rip), %r10
	pushq	%r10
	pushq	%r11
1:	jmp	*%rax
	.cfi_endproc
	.size	thunk_common, .-thunk_common

/* Reached from the gadget's `ret` with [rsp] = R and rax = the handle: a
 * frame like a function entry, so unwinding from the pass after dlopen reaches R. */
	.type	thunk_cont, @function
thunk_cont:
	.cfi_startproc
	pushq	%rax
	.cfi_adjust_cfa_offset 8
	movq	%rax, %rdi
	call	*dlopen_thunk_env+ENV_AFTER(%rip)
	popq	%rax
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	thunk_cont, .-thunk_cont

	.section .note.GNU-stack,"",@progbits
