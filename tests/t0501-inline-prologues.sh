#!/usr/bin/env bash
# Owns: entry patching of exact prologues (tests/progs/inline/prologue.S) under
# the real libmemo: a RIP-relative first instruction, a 0x66 RIP-relative SSE
# load, endbr64, a short jcc and a call in the first bytes are patched and
# memoized (same output; the second run is served from the cache); a back edge
# into the patched bytes, a 3-byte function and a variadic function are
# refused with a warning naming the reason, with mechanism = inline and auto,
# while the program runs as without libmemo; a fault in a trampoline, or in
# a function a relocated call in it called, is named.
source "$TOP/tests/lib.sh"
prog="$P/inline/prologue"

mkdir memo.d
conf() { printf '[function %s]\nprototype = %s\nmechanism = %s\n' "$1" "$2" "$3" >"memo.d/$1.conf"; }
setup() {	# MECHANISM
	conf p_riprel 'long p_riprel(long x)' "$1"
	conf p_sse66 'double p_sse66(double x)' "$1"
	conf p_endbr 'long p_endbr(long x)' "$1"
	conf p_jcc_call 'int p_jcc_call(int x)' "$1"
	conf p_crash 'int p_crash(const int p[1])' "$1"
	conf p_call_crash 'int p_call_crash(const int p[1])' "$1"
	conf p_backedge 'int p_backedge(int n)' "$1"
	conf p_tiny 'int p_tiny(int x)' "$1"
	conf p_vsum 'int p_vsum(int n)' "$1"
	printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
}
export MEMO_CONFIG="$T/memo.d"
patched="p_riprel p_sse66 p_endbr p_jcc_call p_crash"

MEMO_DISABLE=1 "$prog" >plain.out || fail "prologue without libmemo"
for mech in inline auto; do
	note "mechanism = $mech"
	setup $mech
	rm -rf cache stats.jsonl
	under_memo "$prog" >first.out 2>first.err || { cat first.err; fail "$mech: first run"; }
	cat first.err
	same plain.out first.out "$mech: first run"
	under_memo "$prog" >second.out 2>second.err || { cat second.err; fail "$mech: second run"; }
	same plain.out second.out "$mech: second run"
	# Each is called with 5 distinct arguments (p_crash with one pointer to 1).
	for f in $patched; do
		expect_eq "$(stat_of stats.jsonl $f calls)" 5 "$mech: calls of $f that reached its hook"
		expect_eq "$(stat_of stats.jsonl $f misses)" 0 "$mech: misses of $f in the second run"
	done
	if [ $mech = inline ]; then
		refused() { grep -qF "libmemo: warning: '$1' ($T/memo.d/$1.conf:1) cannot be memoized [$2]: " first.err ||
			fail "$mech: '$1' not refused with \"$2\""; }
	else
		refused() { grep -qF "libmemo: warning: '$1': not entry-patched [$2]" first.err ||
			fail "$mech: '$1' not refused with \"$2\""; }
	fi
	refused p_backedge back-jump
	refused p_tiny too-short
	refused p_vsum variadic
done

# crashes MODE FUNCTION WHERE: `prologue MODE` dies of SIGSEGV (under ASan,
# whose own handler reports, of an abort) and libmemo names FUNCTION's hook
# and WHERE the fault was.
crashes() {
	under_memo "$prog" "$1" 2>crash.err
	rc=$?
	cat crash.err
	[ "$rc" = 139 ] || { [ "${SAN:-0}" = 1 ] && [ "$rc" = 134 ]; } || fail "$1: exit status $rc"
	grep -qF "libmemo: error: '$2': Segmentation fault $3 ($T/memo.d/$2.conf:1)" crash.err ||
		fail "$1: the crash handler did not say '$3' for '$2'"
}

note "a fault in a trampoline"
setup inline
rm -rf cache
crashes crash p_crash "in its entry-patch trampoline at +0x4"

# The same fault one frame deeper: the trampoline's relocated call (endbr64,
# then `call p_load` at +0x4) returns to +0x9, found on the stack.
note "a fault below a trampoline's relocated call"
crashes callcrash p_call_crash "in a frame below its entry-patch trampoline at +0x8"
exit 0
