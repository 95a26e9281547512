#!/usr/bin/env bash
# Owns: entry patching under threads, under the real libmemo: 8 threads sit
# inside a memoized function while the main thread dlopens a library whose
# configured function is then entry-patched (through the dlopen thunk) and
# called; then the 8 threads call another memoized function at once. Results
# right, every call through its hook. Repeated to give a race a chance to show.
source "$TOP/tests/lib.sh"

mkdir memo.d
conf() { printf '[function %s]\nprototype = %s\nmechanism = inline\n' "$1" "$2" >"memo.d/$1.conf"; }
conf inl_hold 'long inl_hold(long x)'
conf inl_fast 'long inl_fast(long x)'
conf inl_late 'long inl_late(long x)'
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/inline/threads" "$P/inline" >plain.out || fail "threads without libmemo"
for i in 1 2 3; do
	# A fresh cache each time: inl_hold must really run (and hold) its callers.
	rm -rf cache stats.jsonl
	reset_runs
	MEMO_LOG=info under_memo "$P/inline/threads" "$P/inline" >out 2>err || { cat err; fail "run $i"; }
	same plain.out out "threads run $i"
	grep -q "^libmemo: 'inl_late' memoized" err || { cat err; fail "inl_late not memoized at its dlopen"; }
	expect_eq "$(runs inl_hold)" 8 "run $i: inl_hold bodies"
	expect_eq "$(runs inl_late)" 1 "run $i: inl_late bodies"
	expect_eq "$(stat_of stats.jsonl inl_hold calls)" 8 "run $i: calls of inl_hold through its hook"
	expect_eq "$(stat_of stats.jsonl inl_late calls)" 1 "run $i: calls of inl_late through its hook"
	expect_eq "$(stat_of stats.jsonl inl_fast calls)" 16000 "run $i: calls of inl_fast through its hook"
done
cat err
exit 0
