#!/usr/bin/env bash
# t0117: an entry decoded once is patched from its plan afterwards
# (src/patch/decode_cache.c), and Zydis is loaded only to decode
# (src/find/zydis_calls.c). Ten libc functions cat never calls: the first
# start decodes them (Zydis loaded, as the loader's LD_DEBUG=files says),
# the second patches all ten from their plans and loads no Zydis. The
# prologues of tests/progs/inline/prologue.S (a rip-relative load, a 0x66
# rip-relative SSE load, endbr64, a short jcc and a call in the displaced
# bytes), relocated from their plans: the output is the plain run's, every
# call reaches its hook and hits, with no Zydis. Plans that do not add up
# (their byte counts changed) are decoded again, and the program runs right.
source "$TOP/tests/lib.sh"
export MEMO_CONFIG="$T/memo.d"

# run NAME CMD...: CMD under libmemo, its output in NAME.out, its stderr in
# NAME.err, the loader's list of the files it loaded in NAME.ld.*
run() {
	local name=$1 rc
	shift
	rm -f "$name".ld.*
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/$name.ld" under_memo "$@" >"$name.out" 2>"$name.err"
	rc=$?
	[ $rc = 0 ] || { cat "$name.err"; fail "$name: exit status $rc"; }
}
zydis_loaded() { cat "$1".ld.* | grep -q 'file=libZydis'; }

note "ten libc functions found, never called"
printf 'one\ntwo\n' >in.txt
conf_cache dir="$T/cache" stats=off
conf_ten_libc
for r in first again; do
	MEMO_LOG=info run ten-$r cat in.txt
	same in.txt ten-$r.out "ten, $r run"
	expect_eq "$(memoized_in ten-$r.err)" 10 "ten, $r run: functions memoized"
done
zydis_loaded ten-first || fail "the first start decoded nothing with Zydis"
zydis_loaded ten-again && fail "a start whose entries were all decoded before loaded Zydis"
run ten-quiet cat in.txt
said ten-quiet.err && { cat ten-quiet.err; fail "ten, from plans: something was said"; }

note "prologues relocated from their plans"
rm -f memo.d/*.conf
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
patched="p_riprel p_sse66 p_endbr p_jcc_call"
conf_function p_riprel 'long p_riprel(long x)' mechanism=inline
conf_function p_sse66 'double p_sse66(double x)' mechanism=inline
conf_function p_endbr 'long p_endbr(long x)' mechanism=inline
conf_function p_jcc_call 'int p_jcc_call(int x)' mechanism=inline
MEMO_DISABLE=1 "$P/inline/prologue" >plain.out || fail "prologue without libmemo"
for r in first second third; do
	run pro-$r "$P/inline/prologue"
	same plain.out pro-$r.out "prologue, $r run"
	said pro-$r.err && { cat pro-$r.err; fail "prologue, $r run: something was said"; }
done
for f in $patched; do
	expect_eq "$(stat_of stats.jsonl $f calls)" 5 "third run: calls of $f that reached its hook"
	expect_eq "$(stat_of stats.jsonl $f hits)" 5 "third run: hits of $f"
done
zydis_loaded pro-first || fail "the prologues' first run decoded nothing with Zydis"
zydis_loaded pro-third && fail "the prologues, patched from plans, loaded Zydis"

note "plans whose byte counts do not add up"
# KEY N GROUPS...: each N one more than its instructions' lengths; the
# results in a fresh folder, so that every call runs its trampoline
mkdir cache2
mv cache/identity cache2/identity
for f in cache2/identity/d2-*; do
	awk '{ $2 = $2 + 1; print }' "$f" >"$f.new" && mv "$f.new" "$f"
done
conf_cache dir="$T/cache2" stats="$T/stats.jsonl"
run pro-damaged "$P/inline/prologue"
same plain.out pro-damaged.out "prologue, damaged plans"
said pro-damaged.err && { cat pro-damaged.err; fail "prologue, damaged plans: something was said"; }
zydis_loaded pro-damaged || fail "damaged plans were used: nothing was decoded again"
for f in $patched; do
	expect_eq "$(stat_of stats.jsonl $f misses)" 5 "damaged plans: misses of $f (its original run)"
done

unshare -m --propagation private true 2>/dev/null ||
	skip "no mount namespace here (unshare -m): Zydis's absence is not tested"
without_zydis() {	# without_zydis CMD...: CMD with Zydis's file read as empty
	local lib
	lib=$(ldconfig -p | awk '$1 == "libZydis.so.4.0" && /x86-64/ { print $NF; exit }')
	[ -n "$lib" ] || fail "'libZydis.so.4.0' is not in the loader's cache"
	unshare -m --propagation private sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
		sh "$lib" "$@"
}
note "without Zydis, no plans"
conf_cache dir="$T/cache3" stats="$T/stats.jsonl"
without_zydis env LD_PRELOAD="$PRELOAD" "$P/inline/prologue" >nz.out 2>nz.err ||
	{ cat nz.err; fail "without Zydis, no plans: the run failed"; }
same plain.out nz.out "without Zydis, no plans"
grep -q "cannot load 'libZydis.so.4.0'" nz.err || { cat nz.err; fail "Zydis's absence was not said"; }

note "without Zydis, every plan kept"
conf_cache dir="$T/cache2" stats="$T/stats.jsonl"
without_zydis env LD_PRELOAD="$PRELOAD" "$P/inline/prologue" >nzp.out 2>nzp.err ||
	{ cat nzp.err; fail "without Zydis, from plans: the run failed"; }
same plain.out nzp.out "without Zydis, from plans"
said nzp.err && { cat nzp.err; fail "without Zydis, from plans: something was said"; }
for f in $patched; do
	expect_eq "$(stat_of stats.jsonl $f hits)" 5 "without Zydis, from plans: hits of $f"
done
exit 0
