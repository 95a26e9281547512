#!/usr/bin/env bash
# Owns: a small max_size bounds the folder store's whole size in disk blocks,
# its folders included (store_folder.c, "Sizes"): 200 processes of a real
# program under LD_PRELOAD (mcmain: 15 mc_slow results of its own each, 15
# blocks of 4 KiB, ~62 KB), four at a time, share a folder with max_size =
# 1M. Afterwards du of the folder, but for the records kept beside the
# entries and outside max_size (stats/, identity/: records.h), is within 10%
# of max_size. Before, its 256 bucket folders alone took 1 MiB of blocks,
# uncounted; now there are 8 of them under 1M, and a scan counts what the
# folders and .size take. Outputs equal the runs without libmemo.
source "$TOP/tests/lib.sh"
c="$T/cache"
max_k=1024
bin="$P/mc/mcmain"

mkdir -p memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
conf_cache dir="$c" max_size=1M stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

run_one() {	# process $1: mc_slow for seeds 15*$1+1 .. 15*$1+15
	MEMO_DISABLE=1 "$bin" 15 0 $((15 * $1)) >plain.$1 || return 1
	under_memo "$bin" 15 0 $((15 * $1)) >memo.$1 2>err.$1 || return 1
	cmp -s plain.$1 memo.$1
}

note "200 processes of 15 entries each, four at a time, max_size = 1M"
batches 200 4 run_one

entries=$(find "$c" -type f ! -name '.*' ! -path "$c/stats/*" ! -path "$c/identity/*" | wc -l)
buckets=$(find "$c" -mindepth 1 -maxdepth 1 -type d -name '[0-9a-f][0-9a-f]' | wc -l)
du_k=$(du -sk --exclude=stats --exclude=identity "$c" | cut -f1)
note "after: $entries entries of $((200 * 15)) written, $buckets bucket folders; du $du_k KiB"
[ "$entries" -gt 0 ] || fail "every entry was evicted"
[ "$du_k" -le $((max_k * 11 / 10)) ] ||
	fail "du $du_k KiB for a folder bounded to $max_k KiB (+10%), $buckets bucket folders"
# The second run of the last process is served from what is left.
under_memo "$bin" 15 0 $((15 * 199)) >again.out 2>again.err || fail "a run after the others"
same plain.199 again.out "a run after the others"
exit 0
