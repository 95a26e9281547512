#!/usr/bin/env bash
# Owns: the folder store's size count across short processes (store_sync at
# the engine's exit, src/boot/engine.c; folder_sync_op, store_folder.c).
# 200 processes of a real program under LD_PRELOAD (mcmain: 75 mc_slow
# results of its own each, ~7.8 KB a process, less than one chunk of
# max_size/16 = 8 KiB), run four at a time, share a folder with
# max_size = 128K. Each process's count must reach .size, so eviction runs
# and the entries' bytes stay within 10% of max_size (before, each count was
# lost at exit: nothing was ever evicted). Outputs equal the runs without
# libmemo. The bound on disk blocks is t0308's.
source "$TOP/tests/lib.sh"
c="$T/cache"
max=$((128 << 10))
bin="$P/mc/mcmain"

mkdir -p memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
conf_cache dir="$c" max_size=128K stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

run_one() {	# process $1: mc_slow for seeds 75*$1+1 .. 75*$1+75
	MEMO_DISABLE=1 "$bin" 75 0 $((75 * $1)) >plain.$1 || return 1
	under_memo "$bin" 75 0 $((75 * $1)) >memo.$1 2>err.$1 || return 1
	cmp -s plain.$1 memo.$1
}

note "200 processes of 75 entries each, four at a time, max_size = $max"
batches 200 4 run_one

entries=$(find "$c" -type f ! -name '.*' | wc -l)
apparent=$(find "$c" -type f ! -name '.*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
note "after: $entries entries of $((200 * 75)) written, $apparent bytes"
[ "$entries" -lt $((200 * 75)) ] || fail "nothing was evicted ($entries entries)"
[ "$apparent" -le $((max * 11 / 10)) ] ||
	fail "entries hold $apparent bytes in a folder bounded to $max (+10%)"
exit 0
