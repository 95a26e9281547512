#!/usr/bin/env bash
# Owns: max_size bounds the folder store's space on disk, not its bytes
# (entry_disk, src/store/store_folder.c): an entry of 104 bytes takes a whole
# block. 200 processes of a real program under LD_PRELOAD (mcmain: 20 small
# mc_slow results and two mc_big results of 8 B to 11 KB each, all its own),
# four at a time, share a folder with max_size = 256K. Afterwards du of the
# folder is within 10% of max_size, plus the folders' own blocks (the root and
# up to 256 buckets: 4 KiB each on ext4, measured here), .size's one block,
# and the stats and identity folders beside the entries, outside max_size;
# and a second case with the unit driver's tiny entries. Outputs equal the
# runs without libmemo.
source "$TOP/tests/lib.sh"
c="$T/cache"
max=$((256 << 10))
bin="$P/mc/mcmain"

mkdir -p memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
conf_cache dir="$c" max_size=256K stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

# check WHAT: the entries' blocks and du of the whole folder against max.
check() {
	local entries disk apparent folders_k du_k

	# stats/: the stats kept across runs, at most 16 small files, and
	# identity/: what start-up and first calls learnt of each object (code
	# identities, verdicts, symbols, flush generations), beside the entries
	# and outside max_size (records.h, identity.h), like the folders
	entries=$(find "$c" -type f ! -name '.*' ! -path "$c/stats/*" ! -path "$c/identity/*" | wc -l)
	disk=$(find "$c" -type f ! -name '.*' ! -path "$c/stats/*" ! -path "$c/identity/*" -printf '%b\n' |
		awk '{ s += $1 } END { print s * 512 }')
	apparent=$(find "$c" -type f ! -name '.*' ! -path "$c/stats/*" ! -path "$c/identity/*" -printf '%s\n' |
		awk '{ s += $1 } END { print s + 0 }')
	folders_k=$( (find "$c" -type d; find "$c/stats" "$c/identity" -type f 2>/dev/null) |
		xargs -r -d '\n' stat -c %b | awk '{ s += $1 } END { print s / 2 }')
	du_k=$(du -sk "$c" | cut -f1)
	note "$1: $entries entries, $apparent bytes, $disk on disk; du $du_k KiB, of which folders, stats and identity $folders_k KiB"
	[ "$disk" -le $((max * 11 / 10)) ] ||
		fail "$1: entries take $disk bytes on disk in a folder bounded to $max (+10%)"
	[ "$du_k" -le $((max * 11 / 10 / 1024 + folders_k + 4)) ] ||
		fail "$1: du $du_k KiB for a folder bounded to $((max / 1024)) KiB (+10%, + $folders_k KiB of folders, stats and identity, + 4 for .size)"
}

run_one() {	# process $1: entries of its own, small and up to 11 KB
	local args="20 $((7 * $1 + 1)) $((20 * $1))"

	MEMO_DISABLE=1 "$bin" $args >plain.$1 || return 1
	under_memo "$bin" $args >memo.$1 2>err.$1 || return 1
	cmp -s plain.$1 memo.$1
}

note "200 processes of 22 entries each, four at a time, max_size = $max"
batches 200 4 run_one
check "200 mcmain processes"

note "the unit driver: 200 processes of 30 entries of 104 bytes, four at a time"
rm -rf "$c"
S="$P/unit/store_folder"
fill_one() { "$S" -m $max "$c" fill p$1- 30 8 2>err.$1; }
batches 200 4 fill_one
check "200 writers of tiny entries"
# the newest entry survives the eviction its own writes start (with four
# writers at once, the last batch's entries interleave: write one alone)
"$S" -m $max "$c" fill last- 30 8 2>err.last || { cat err.last; fail "the last writer failed"; }
"$S" "$c" get last-29 >/dev/null 2>&1 || fail "the newest entry was evicted"
exit 0
