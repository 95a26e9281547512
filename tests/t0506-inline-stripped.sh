#!/usr/bin/env bash
# Owns: a stripped -O2 executable (src/find/symbols.c sym_resolve): a static
# function configured in it gets a clear error that names the missing .symtab
# and the functions that remain reachable; library functions are still
# entry-patched and memoized; the program's output is the same as without
# libmemo, and the unreachable function runs as often as without it.
source "$TOP/tests/lib.sh"
prog="$P/inline/reach-stripped"

readelf -S "$prog" | grep -q '\.symtab' && fail "the test program is not stripped"
mkdir memo.d
conf() { printf '[function %s]\nprototype = %s\nmechanism = inline\n' "$1" "$2" >"memo.d/$1.conf"; }
conf fib 'long fib(long n)'
conf inl_plt 'long inl_plt(long x)'
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$prog" "$P/inline" >plain.out || fail "stripped program without libmemo"
for n in first second; do
	reset_runs
	under_memo "$prog" "$P/inline" >$n.out 2>$n.err || { cat $n.err; fail "$n run under libmemo"; }
	cat $n.err
	same plain.out $n.out "stripped program, $n run"
	expect_eq "$(runs fib)" 21891 "$n run: fib is unreachable and runs as without libmemo"
done
grep "libmemo: warning: 'fib' ($T/memo.d/fib.conf:1) \[stripped\]: " first.err | grep -qF "(.dynsym: _start, ifn, main)" ||
	fail "no clear error for the stripped executable"
expect_eq "$(runs inl_plt)" 0 "a library function of a stripped program is memoized"
exit 0
