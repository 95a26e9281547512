#!/usr/bin/env bash
# The user-space instructions of a folder-store hit of a small value (~100 B,
# the store of small entries, LMDB: bf_scalar through libmemo) against
# LMDB's own read of the same entries (bench/calls smallraw: renew, the two
# gets small.c makes, the hash compared, the copy out, reset), counted by
# valgrind's callgrind as bench/hit_instructions.sh counts a remote hit: a
# count does not move with the machine's load as times do. Each side runs N1
# and N2 calls; the difference over N2 - N1 leaves start-up out (smallraw
# reads each entry twice: its difference is over 2 (N2 - N1)). Prints the
# two counts a call, their ratio, and libmemo's and liblmdb's shares.
#
#   B=$PWD/build bench/small_instructions.sh [N2]
me=small_instructions
source "$(dirname "$0")/callgrind_counts.sh" "$@"
trap 'rm -rf "$tmp"' EXIT

printf '[cache]\ndir = %s\nstats = off\n' "$tmp/cache" >"$tmp/conf/cache.conf"
LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/conf" "$BP/calls" fillscalar "$n2"

for n in "$n1" "$n2"; do
	count_hits "$n"
	count raw "$n" "$BP/calls" smallraw "$tmp/cache" "$n"
done
hit=$(per "$(total hit.$n2)" "$(total hit.$n1)" 1)
raw=$(per "$(total raw.$n2)" "$(total raw.$n1)" 2)
own=$(per "$(objects hit.$n2 'libmemo')" "$(objects hit.$n1 'libmemo')" 1)
lmdb=$(per "$(objects hit.$n2 'liblmdb')" "$(objects hit.$n1 'liblmdb')" 1)
echo "small_hit_instructions $hit"
echo "raw_lmdb_get_instructions $raw"
echo "libmemo_own_instructions $own   (libmemo's objects alone, within the hit)"
echo "lmdb_instructions $lmdb   (liblmdb's alone, within the hit)"
awk -v h="$hit" -v g="$raw" 'BEGIN { printf "ratio %.2f, libmemo over the LMDB read %d a hit\n", h / g, h - g }'
