#!/usr/bin/env bash
# Owns: libmemo.so's choice to load the engine, in a process where only a
# configured name can be the reason (a stripped program that calls no
# dlopen, stripped system libraries): it loads for a name a library defines,
# with or without its version, and for one of the dynamic linker's; it stays
# idle for a name nothing defines and for one only a hidden old version has
# (as dlsym finds them: src/boot/preload.c looks them up in the hash tables).
source "$TOP/tests/lib.sh"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime, preloaded too, calls dlopen: the engine always loads"

strip -o app "$P/inline/app"
readelf -S /lib/x86_64-linux-gnu/libc.so.6 | grep -q '\.symtab' && skip "this libc is not stripped"
readelf -rW app | grep -qw dlopen && fail "the test program calls dlopen"
printf '[cache]\ndir = %s\nstats = off\n' "$T/cache" >cache.conf

decide() {	# decide NAME PROTOTYPE: "loads" or "idle"
	rm -rf memo.d && mkdir memo.d && cp cache.conf memo.d/
	printf '[function %s]\nprototype = %s\n' "$1" "$2" >memo.d/f.conf
	MEMO_LOG=info MEMO_CONFIG="$T/memo.d" under_memo ./app 1 2>err >/dev/null || fail "$1: app failed"
	if grep -q 'stays idle' err; then echo idle; else echo loads; fi
}
expect_eq "$(decide abs 'int abs(int j)')" loads "a name libc defines"
expect_eq "$(decide abs@GLIBC_2.2.5 'int abs(int j)')" loads "a name and version libc defines"
expect_eq "$(decide __tls_get_addr 'long __tls_get_addr(opaque void *p)')" loads \
	"a name the dynamic linker defines"
expect_eq "$(decide no_such_symbol 'int no_such_symbol(int x)')" idle "a name nothing defines"
expect_eq "$(decide sys_errlist 'int sys_errlist(int x)')" idle "a name only a hidden old version has"
exit 0
