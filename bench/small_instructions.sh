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
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
: "${B:=$top/build}"
command -v valgrind >/dev/null || { echo "small_instructions: needs valgrind" >&2; exit 1; }
make --no-print-directory -s -C "$top" B="$B"
make --no-print-directory -s -C "$top" -f bench/Makefile B="$B"
BP=$B/bench
n2=${1:-2500}
n1=$((n2 / 5))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/conf"
printf '[cache]\ndir = %s\nstats = off\n' "$tmp/cache" >"$tmp/conf/cache.conf"
printf '[function bf_scalar]\nprototype = double bf_scalar(int a, double b)\nobject = %s\n' \
	"$BP/libbenchfn.so" >"$tmp/conf/bf_scalar.conf"
LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/conf" "$BP/calls" fillscalar "$n2"

count() {	# count NAME N CMD...: callgrind's count of CMD, into $tmp/NAME.N
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$1.$2" "${@:3}" >/dev/null 2>&1
}
for n in "$n1" "$n2"; do
	# the preload set for valgrind itself: its launcher passes it on
	LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/conf" MEMO_STATS="$tmp/stats.$n" \
		count hit "$n" "$BP/calls" hits 0 "$n"
	# every call a hit, or the count is of something else
	grep -q "\"hits\": $n, \"misses\": 0," "$tmp/stats.$n" ||
		{ echo "small_instructions: not $n hits: $(cat "$tmp/stats.$n")" >&2; exit 1; }
	count raw "$n" "$BP/calls" smallraw "$tmp/cache" "$n"
done
total() { sed -n 's/^summary: //p' "$tmp/$1"; }
# the instructions of objects named like $2 in callgrind file $1
objects() {
	callgrind_annotate --threshold=100 --auto=no "$tmp/$1" 2>/dev/null |
		awk -v pat="$2" '$0 ~ pat && $0 ~ /^ *[0-9,]+ / { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
per() { echo $((($1 - $2) / ($3 * (n2 - n1)))); }
hit=$(per "$(total hit.$n2)" "$(total hit.$n1)" 1)
raw=$(per "$(total raw.$n2)" "$(total raw.$n1)" 2)
own=$(per "$(objects hit.$n2 'libmemo')" "$(objects hit.$n1 'libmemo')" 1)
lmdb=$(per "$(objects hit.$n2 'liblmdb')" "$(objects hit.$n1 'liblmdb')" 1)
echo "small_hit_instructions $hit"
echo "raw_lmdb_get_instructions $raw"
echo "libmemo_own_instructions $own   (libmemo's objects alone, within the hit)"
echo "lmdb_instructions $lmdb   (liblmdb's alone, within the hit)"
awk -v h="$hit" -v g="$raw" 'BEGIN { printf "ratio %.2f, libmemo over the LMDB read %d a hit\n", h / g, h - g }'
