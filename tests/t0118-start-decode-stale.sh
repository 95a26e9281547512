#!/usr/bin/env bash
# t0118: a plan kept for an entry (src/patch/decode_cache.c) is used only
# for the bytes it was decoded from. A program is written over in place by
# another build of the same size, its mtime put back: the file's path,
# inode, size and mtime, which file the plans, are unchanged, and its
# function's first 6 bytes are now an immediate move where they were a
# rip-relative load. The new entry is decoded again: the output is the
# plain run's, the function is memoized, and a second run hits.
source "$TOP/tests/lib.sh"

cp "$P/decode/stale1" prog
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function pick 'int pick(int x)' mechanism=inline
export MEMO_CONFIG="$T/memo.d"

note "the first build, its entry's plan kept"
same_quietly "first build" ./prog
same_quietly "first build, from its plan" ./prog
expect_eq "$(stat_of stats.jsonl pick hits)" 5 "first build, second run: hits"
ls cache/identity/d2-* >/dev/null 2>&1 || fail "no plan was kept"

note "the second build written over it: same inode, size and mtime"
before=$(stat -c '%i %s %Y' prog)
touch -r prog stamp
cat "$P/decode/stale2" >prog
touch -r stamp prog
expect_eq "$(stat -c '%i %s %Y' prog)" "$before" "the file's inode, size and mtime"
same_quietly "second build" ./prog
grep -q '2000' run.out || fail "the second build did not run"
expect_eq "$(stat_of stats.jsonl pick calls)" 5 "second build: calls that reached the hook"
expect_eq "$(stat_of stats.jsonl pick misses)" 5 "second build: misses"
same_quietly "second build, again" ./prog
expect_eq "$(stat_of stats.jsonl pick hits)" 5 "second build, second run: hits"
exit 0
