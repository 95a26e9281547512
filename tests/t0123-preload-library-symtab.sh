#!/usr/bin/env bash
# t0123: libmemo.so loads the engine for a loaded library that still has a
# .symtab (it may define a configured static function), and stays idle once
# that library is stripped; it looks for the .symtab in the section headers
# alone, its ELF header taken from where the loader mapped it: one pread of
# the library's file, counted with strace (src/boot/preload.c,
# src/find/elf_peek.c elf_peek_symtab_loaded).
source "$TOP/tests/lib.sh"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime, preloaded too, calls dlopen: the engine always loads"
command -v strace >/dev/null || skip "strace is not installed (tools/install-deps.sh test)"

strip -o app "$P/inline/app"
readelf -S /lib/x86_64-linux-gnu/libc.so.6 | grep -q '\.symtab' && skip "this libc is not stripped"
lib="$T/libreach2.so"
cp "$P/inline/libreach2.so" "$lib"
readelf -S "$lib" | grep -q '\.symtab' || fail "the test library has no .symtab"
readelf -rW "$lib" | grep -qw dlopen && fail "the test library calls dlopen"
export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
conf_function no_such_symbol 'int no_such_symbol(int x)'
./app 1 >plain.out 2>&1 || fail "app failed"

decide() {	# decide NAME: "loads" or "idle", with the library preloaded after libmemo.so
	MEMO_LOG=info LD_PRELOAD="$PRELOAD $lib" ./app 1 >"$1.out" 2>"$1.err" || fail "$1: app failed"
	same plain.out "$1.out" "$1: output"
	if grep -q 'stays idle' "$1.err"; then echo idle; else echo loads; fi
}
expect_eq "$(decide symtab)" loads "a library with a .symtab"
strip "$lib"
expect_eq "$(decide stripped)" idle "the library stripped"

# The stripped library's file: opened once, one pread (its section headers).
MEMO_LOG=error strace -f -y -o trace -e trace=openat,pread64 -E LD_PRELOAD="$PRELOAD $lib" \
	./app 1 >/dev/null 2>&1 || fail "app under strace failed"
expect_eq "$(grep -c "pread64([0-9]*<$lib>" trace)" 1 "preads of the library's file"
exit 0
