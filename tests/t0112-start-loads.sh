#!/usr/bin/env bash
# t0112: what start-up loads and reads, seen in the program's own
# /proc/self/maps (cat reading it). A config that matches nothing loads no
# engine and none of its libraries. Ten libc functions the program never
# calls (bench/run's "ten"): the engine is loaded and they are entry-patched,
# but no ELF image of the stripped libc is read (src/boot/activate.c stats
# the file; src/patch/inline.c takes the size from the loader's hash table):
# libc's file is mapped from its start once, by the loader (libelf would map
# it whole a second time; entry patches split only its text), and once the prototype
# verdicts are cached, the DWARF reader is not loaded. The shortcuts keep
# every message: a misspelled name beside found ones is still said at start.
source "$TOP/tests/lib.sh"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime, preloaded too, calls dlopen: the engine always loads"
readelf -S /lib/x86_64-linux-gnu/libc.so.6 | grep -q '\.symtab' && skip "this libc is not stripped"

export MEMO_CONFIG="$T/memo.d"
printf 'one\ntwo\n' >in.txt
cat in.txt >plain.out
libs='libmemo-engine\.so|libmemo-dwarf\.so|libmemo-memcached\.so|libelf|libZydis|libdw|libmemcached|libffi'
maps() {	# maps NAME: cat's maps under libmemo into NAME.maps, its stderr NAME.err
	under_memo cat /proc/self/maps >"$1.maps" 2>"$1.err" || { cat "$1.err"; fail "$1: cat failed"; }
	under_memo cat in.txt >"$1.out" 2>>"$1.err" || { cat "$1.err"; fail "$1: cat failed"; }
	same plain.out "$1.out" "$1: output"
}
libc_maps() { grep -cE ' 0+ [0-9a-f]+:[0-9a-f]+ [0-9]+ +/.*/libc\.so\.6$' "$1" || true; }

note "a config that matches nothing"
conf_cache dir="$T/cache" stats=off
conf_function no_such_symbol 'int no_such_symbol(int x)'
maps none
grep -E "$libs" none.maps && fail "a config matching nothing loaded the engine or its libraries"
said none.err && { cat none.err; fail "a config matching nothing said something"; }

note "ten libc functions found, never called"
rm -f memo.d/no_such_symbol.conf
conf_ten_libc
maps ten-first
grep -q 'libmemo-engine\.so' ten-first.maps || fail "the engine was not loaded for functions libc defines"
MEMO_LOG=info under_memo cat in.txt 2>info.err >/dev/null
grep -q "'abs' memoized" info.err || { cat info.err; fail "abs was not entry-patched"; }
expect_eq "$(libc_maps ten-first.maps)" 1 \
	"libc's mappings from its start (an ELF image of libc was read at start-up)"
maps ten-again
expect_eq "$(libc_maps ten-again.maps)" 1 "libc's mappings from its start, second run"
grep -E 'libmemo-dwarf\.so|libdw' ten-again.maps &&
	fail "the DWARF reader was loaded with every verdict cached"
said ten-again.err && { cat ten-again.err; fail "ten found functions: something was said"; }

note "a misspelled name beside the found ones"
conf_function absx 'int absx(int j)'
maps misspelled
grep -q "'absx' (.*absx.conf:1) \[.*symbol 'absx' not found in any loaded object" misspelled.err ||
	{ cat misspelled.err; fail "the misspelled name was not said at start"; }
exit 0
