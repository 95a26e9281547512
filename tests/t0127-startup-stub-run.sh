#!/usr/bin/env bash
# t0127: start-up's stub pages are reserved in a row (src/patch/near.c
# near_run, src/patch/inline.c's batch): ten libc functions found take
# their two pages (eight hooks to a page) from one mmap, made read+exec by
# one mprotect at the batch's end; it was an mmap and an mprotect a page. The
# hooks and their counters share one mapping too (src/boot/engine.c). With
# every function GOT-routed no stub page is made, and nothing reserved is
# left mapped. Counted with strace; the output the program's, the ten
# functions memoized (and, in the first case, entry-patched).
source "$TOP/tests/lib.sh"
command -v strace >/dev/null || skip "strace is not installed (tools/install-deps.sh test)"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime maps pages of its own"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
conf_ten_libc
printf 'one\ntwo\n' >in.txt
cat in.txt >plain.out

# the engine's own anonymous mappings and protections, after it is loaded
engine_calls() {
	awk '/libmemo-engine\.so/ { seen = 1; next }
	     seen && /^[0-9]+ +(mmap|mprotect|munmap)\(/' "$1"
}
for run in first again; do	# the second start patches from the caches
	MEMO_LOG=info strace -f -o "$run.trace" -e trace=openat,mmap,mprotect,munmap \
		-E LD_PRELOAD="$PRELOAD" cat in.txt >"$run.out" 2>"$run.err" ||
		{ cat "$run.err"; fail "$run: cat failed"; }
	same plain.out "$run.out" "$run"
	expect_eq "$(memoized_in "$run.err")" 10 "$run: functions memoized"
	grep -q "not entry-patched" "$run.err" && { cat "$run.err"; fail "$run: not entry-patched"; }
	engine_calls "$run.trace" >"$run.engine"
	expect_eq "$(grep -c 'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS' "$run.engine")" 1 \
		"$run: one mapping of the two stub pages"
	expect_eq "$(grep -c 'mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS' "$run.engine")" 0 \
		"$run: stub pages mapped one at a time"
	expect_eq "$(grep -c 'PROT_READ|PROT_EXEC) = 0' "$run.engine")" 2 \
		"$run: read+exec protections (the stub pages', and libc's text put back)"
	expect_eq "$(grep -c 'mprotect(0x[0-9a-f]*, 8192, PROT_READ|PROT_EXEC)' "$run.engine")" 1 \
		"$run: the stub pages made read+exec at once"
done

rm -rf memo.d
conf_cache dir="$T/cache" stats=off
while IFS=: read -r name proto; do
	conf_function "$name" "$proto" mechanism=got
done <<<"$TEN_LIBC"
MEMO_LOG=info strace -f -o got.trace -e trace=openat,mmap,mprotect,munmap \
	-E LD_PRELOAD="$PRELOAD" cat in.txt >got.out 2>got.err ||
	{ cat got.err; fail "got: cat failed"; }
same plain.out got.out "got"
expect_eq "$(memoized_in got.err)" 10 "got: functions memoized"
engine_calls got.trace >got.engine
grep -q 'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS' got.engine && fail "got: stub pages reserved with no entry patch"
exit 0
