#!/usr/bin/env bash
# t0114: what a process found in a program's .symtab is kept for the next
# (src/find/symcache.c, "o2-" files in the identity folder), keyed by the
# file: a rebuild is a new key, never a stale fact. The program is rebuilt
# with its function moved (another before it) and computing otherwise, and
# with a function it lacked before: each build's function is found where it
# is now, entry-patched, memoized, with the output of the build that runs.
# A stale address would patch the middle of another function. Entry-patched
# (its calls are direct: no GOT slot); the first build run again after.
source "$TOP/tests/lib.sh"
export MEMO_CONFIG="$T/memo.d"

cat >prog.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "runs.h"
#ifdef V2
__attribute__((noinline)) int pad(int x) { return x * 7 + (x >> 3) * 11 - (x & 5); }
__attribute__((noinline)) int later(int x) { test_ran("later"); return x * 9 + 2; }
#endif
__attribute__((noinline)) int target(int x)
{
	test_ran("target");
	return x * K + 1;
}
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int n = atoi(argv[i]);
#ifdef V2
		printf("%d %d %d\n", n, target(n), later(n) + pad(n));
#else
		printf("%d %d\n", n, target(n));
#endif
	}
	return 0;
}
EOF
build() {	# build V: prog (unstripped: its functions are in .symtab)
	if [ "$1" = 2 ]; then flags="-DV2 -DK=5"; else flags="-DK=3"; fi
	rm -f prog
	# shellcheck disable=SC2086
	gcc -O2 -I"$TOP/tests/progs" $flags -o prog prog.c || fail "building version $1"
	readelf -S prog >sections && grep -q '\.symtab' sections || fail "version $1 has no .symtab"
	./prog 1 2 3 >"plain-$1.out" || fail "plain run of version $1"
}
facts() { grep -l '^target	' cache/identity/o2-* 2>/dev/null | wc -l; }	# files holding target's
run() {	# run NAME TARGET_RUNS [LATER_RUNS]: prog under libmemo, output as without
	reset_runs
	MEMO_LOG=info under_memo ./prog 1 2 3 >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1"; }
	same "plain-$v.out" "$1.out" "$1"
	expect_eq "$(runs target)" "$2" "$1: target's bodies"
	[ $# -lt 3 ] || expect_eq "$(runs later)" "$3" "$1: later's bodies"
	grep -q "'target' memoized" "$1.err" || { cat "$1.err"; fail "$1: target not memoized"; }
	if grep -q "not entry-patched" "$1.err"; then
		cat "$1.err"; fail "$1: not entry-patched"
	fi
}

for mech in inline auto; do
	note "mechanism $mech"
	rm -rf cache memo.d
	conf_cache dir="$T/cache" stats=off
	conf_function target 'int target(int x)' mechanism=$mech
	conf_function later 'int later(int x)' mechanism=$mech
	v=1; build 1
	run "$mech-v1-first" 3
	expect_eq "$(facts)" 1 "$mech: the facts of version 1 kept"
	run "$mech-v1-again" 0
	expect_eq "$(facts)" 1 "$mech: version 1's facts, read again"
	v=2; build 2
	run "$mech-v2-first" 3 3
	grep -q "'later' memoized" "$mech-v2-first.err" ||
		{ cat "$mech-v2-first.err"; fail "$mech: later (absent from version 1) not found"; }
	expect_eq "$(facts)" 2 "$mech: version 2's facts, under a key of their own"
	run "$mech-v2-again" 0 0
	v=1; build 1
	run "$mech-v1-rebuilt" 0
done
exit 0
