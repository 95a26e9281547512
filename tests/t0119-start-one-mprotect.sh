#!/usr/bin/env bash
# t0119: start-up writes the jumps of its entry patches in one text segment
# under one change of protection (src/patch/inline.c, inline_batch_end),
# not one per group of adjacent code pages. Ten libc functions spread over
# libc's text: libc's executable pages stay at most 3 mappings (before the
# first entry, from the first to the last, the rest), not 11; each of libc's
# other mappings keeps its protection as in the plain run (nothing outside
# its text made executable or writable); no page is writable and
# executable. Patches in two objects at once (libc's ten and the program's
# own prologues, tests/progs/inline/prologue.S), each object's written
# apart: the output is the plain run's and every call reaches its hook.
source "$TOP/tests/lib.sh"
export MEMO_CONFIG="$T/memo.d"

# the mappings of libc.so.6 in a maps file: PERMS OFFSET, one a line
libc_maps() { awk '$6 ~ /\/libc\.so\.6$/ { print $2, $3 }' "$1"; }

note "ten libc functions: libc's mappings"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_ten_libc
MEMO_DISABLE=1 cat /proc/self/maps >plain.maps || fail "cat without libmemo"
MEMO_LOG=info under_memo cat /proc/self/maps >memo.maps 2>info.err || { cat info.err; fail "cat under libmemo"; }
expect_eq "$(memoized_in info.err)" 10 "functions memoized"
grep -q "not entry-patched" info.err && { cat info.err; fail "a function was not entry-patched"; }
libc_maps plain.maps >plain.libc
[ -s plain.libc ] || fail "no libc.so.6 in the plain run's maps"
libc_maps memo.maps >memo.libc
text=$(grep -c '^r-xp' memo.libc)
[ "$text" -ge 1 ] && [ "$text" -le 3 ] || { cat memo.libc; fail "libc's text is $text mappings, expected 1 to 3"; }
grep -v '^r-xp' plain.libc >plain.other
grep -v '^r-xp' memo.libc >memo.other
same plain.other memo.other "libc's mappings outside its text"
awk '$2 ~ /^rwx/' memo.maps | grep . && fail "a page is writable and executable (above)"

note "libc's and the program's own entries patched at one start"
conf_function p_riprel 'long p_riprel(long x)' mechanism=inline
conf_function p_sse66 'double p_sse66(double x)' mechanism=inline
conf_function p_endbr 'long p_endbr(long x)' mechanism=inline
conf_function p_jcc_call 'int p_jcc_call(int x)' mechanism=inline
MEMO_DISABLE=1 "$P/inline/prologue" >plain.out || fail "prologue without libmemo"
for r in first second; do
	MEMO_LOG=info under_memo "$P/inline/prologue" >$r.out 2>$r.err || { cat $r.err; fail "prologue, $r run"; }
	same plain.out $r.out "prologue, $r run"
	expect_eq "$(memoized_in $r.err)" 14 "prologue, $r run: functions memoized"
	grep -q "not entry-patched" $r.err && { cat $r.err; fail "prologue, $r run: a function was not entry-patched"; }
done
for f in p_riprel p_sse66 p_endbr p_jcc_call; do
	expect_eq "$(stat_of stats.jsonl $f calls)" 5 "second run: calls of $f that reached its hook"
	expect_eq "$(stat_of stats.jsonl $f hits)" 5 "second run: hits of $f"
done
exit 0
