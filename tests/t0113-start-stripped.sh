#!/usr/bin/env bash
# t0113: functions of stripped libraries (no .symtab), found at start-up from
# the loader's tables as mapped (src/find/symbols.c: a library's GNU hash
# table before any dlsym; src/patch/inline.c: the size from it): the same
# functions are caught as when dlsym was asked, with the same results.
#  - copy_solve in two stripped libraries, both linked (tests/progs/copies):
#    each copy found, entry-patched, memoized on its own (no other library's
#    table holds the name: none is asked);
#  - an IFUNC of a stripped library (tests/progs/identity/ifunclib.c's
#    kernel): its resolver still chooses what is caught, and each variant
#    keeps its own results.
# Output as without libmemo; body runs counted; a rerun hits.
source "$TOP/tests/lib.sh"
C="$P/copies"
export MEMO_CONFIG="$T/memo.d"

mkdir s && cp "$C/copyprog-linked" "$C/libcopya.so" "$C/libcopyb.so" s/ || fail "copying"
strip --strip-all s/libcopya.so s/libcopyb.so s/copyprog-linked || fail "strip"
readelf -S s/libcopya.so | grep -q '\.symtab' && fail "libcopya.so is not stripped"
s/copyprog-linked 1 2 3 >plain.out || fail "plain run"

for mech in auto inline; do
	note "two stripped copies, mechanism $mech"
	rm -rf cache memo.d
	conf_cache dir="$T/cache" stats="$T/stats-$mech.jsonl"
	conf_function copy_solve 'int copy_solve(int n)' mechanism=$mech
	reset_runs
	MEMO_LOG=info under_memo s/copyprog-linked 1 2 3 >first.out 2>first.err ||
		{ cat first.err; fail "$mech: first run"; }
	same plain.out first.out "$mech: first run"
	grep -q "'copy_solve' memoized (.*/s/libcopya.so)" first.err ||
		{ cat first.err; fail "$mech: a's copy not memoized"; }
	grep -q "'copy_solve' is defined in '.*/s/libcopyb.so' too" first.err ||
		{ cat first.err; fail "$mech: b's copy not found"; }
	grep -q "not entry-patched" first.err && { cat first.err; fail "$mech: a copy not entry-patched"; }
	expect_eq "$(runs copy_solve_a)" 3 "$mech: a's bodies, first run"
	expect_eq "$(runs copy_solve_b)" 3 "$mech: b's bodies, first run"
	reset_runs
	under_memo s/copyprog-linked 1 2 3 >second.out 2>second.err ||
		{ cat second.err; fail "$mech: second run"; }
	same plain.out second.out "$mech: second run"
	expect_eq "$(runs copy_solve_a)" 0 "$mech: a's bodies, second run"
	expect_eq "$(runs copy_solve_b)" 0 "$mech: b's bodies, second run"
	expect_eq "$(stat_of "$T/stats-$mech.jsonl" 'copy_solve (libcopya.so)' hits)" 6 "$mech: a's hits"
	expect_eq "$(stat_of "$T/stats-$mech.jsonl" 'copy_solve (libcopyb.so)' hits)" 3 "$mech: b's hits"
done

note "an IFUNC of a stripped library"
S="$TOP/tests/progs/identity"
gcc -O2 -fPIC -shared -o libifunc.so "$S/ifunclib.c" || fail "building libifunc.so"
gcc -O2 -o ifunc "$S/ifuncmain.c" -L. -lifunc -lm -Wl,-rpath,"$T" || fail "building ifunc"
strip --strip-all libifunc.so || fail "strip"
readelf -W --dyn-syms libifunc.so | grep -q 'IFUNC .* kernel$' || fail "kernel is not an IFUNC"
rm -rf cache memo.d
conf_cache dir="$T/cache" stats="$T/stats-ifunc.jsonl"
conf_function kernel 'int kernel(int x)'
for variant in a b a b; do
	export MEMO_TEST_KERNEL=$variant
	./ifunc ifunc 3 >"plain-$variant.out" || fail "plain run, variant $variant"
	under_memo ./ifunc ifunc 3 >"memo-$variant.out" 2>"memo-$variant.err" ||
		{ cat "memo-$variant.err"; fail "variant $variant"; }
	same "plain-$variant.out" "memo-$variant.out" "kernel, variant $variant"
	unset MEMO_TEST_KERNEL
done
# the second run of each variant hits its own results, never the other's
expect_eq "$(stat_sum stats-ifunc.jsonl kernel hits)" 6 "kernel's hits over the four runs"
expect_eq "$(stat_sum stats-ifunc.jsonl kernel misses)" 6 "kernel's misses over the four runs"
exit 0
