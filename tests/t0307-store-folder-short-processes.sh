#!/usr/bin/env bash
# Owns: the folder store's size count across short processes (store_sync at
# the engine's exit, src/boot/engine.c; folder_sync_op, store_folder.c).
# 100 processes of a real program under LD_PRELOAD (mcmain: 30 mc_slow
# results of its own each, 30 disk blocks of 4 KiB = 120 KiB a process,
# less than one chunk of max_size/16 = 128 KiB, so no process syncs before
# its exit), run four at a time, share a folder with max_size = 2M. Each
# process's count must reach .size at its exit, so eviction runs and the
# entries stay within 10% of max_size on disk (before, each count was lost
# at exit: nothing was ever evicted). Outputs equal the runs without libmemo.
source "$TOP/tests/lib.sh"
c="$T/cache"
max=$((2 << 20))
bin="$P/mc/mcmain"

mkdir -p memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
conf_cache dir="$c" max_size=2M stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

run_one() {	# process $1: mc_slow for seeds 30*$1+1 .. 30*$1+30
	MEMO_DISABLE=1 "$bin" 30 0 $((30 * $1)) >plain.$1 || return 1
	under_memo "$bin" 30 0 $((30 * $1)) >memo.$1 2>err.$1 || return 1
	cmp -s plain.$1 memo.$1
}

note "100 processes of 30 entries each, four at a time, max_size = $max"
batches 100 4 run_one

entries=$(find "$c" -type f ! -name '.*' | wc -l)
disk=$(find "$c" -type f ! -name '.*' -printf '%b\n' | awk '{ s += $1 * 512 } END { print s + 0 }')
note "after: $entries entries of $((100 * 30)) written, $disk bytes on disk"
[ "$entries" -lt $((100 * 30)) ] || fail "nothing was evicted ($entries entries)"
[ "$disk" -le $((max * 11 / 10)) ] ||
	fail "entries take $disk bytes on disk in a folder bounded to $max (+10%)"
exit 0
