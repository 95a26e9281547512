# Sourced by bench/hit_instructions.sh and bench/small_instructions.sh: what
# both do to count a hit's user-space instructions with valgrind's callgrind
# (this VM has no hardware counters for perf, and a count does not move with
# the machine's load as times do). Each side runs N1 and N2 calls; the
# difference over N2 - N1 leaves start-up out.
#   me=NAME; source "$(dirname "$0")/callgrind_counts.sh" "$@"
# sets top, B, BP, n1, n2 and tmp (removed at exit), builds libmemo and the
# bench programs, and writes $tmp/conf/bf_scalar.conf; the caller adds
# $tmp/conf/cache.conf.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${B:=$top/build}"
command -v valgrind >/dev/null || { echo "$me: needs valgrind" >&2; exit 1; }
make --no-print-directory -s -C "$top" B="$B"
make --no-print-directory -s -C "$top" -f bench/Makefile B="$B"
BP=$B/bench
n2=${1:-2500}
n1=$((n2 / 5))
tmp=$(mktemp -d)
mkdir -p "$tmp/conf"
printf '[function bf_scalar]\nprototype = double bf_scalar(int a, double b)\nobject = %s\n' \
	"$BP/libbenchfn.so" >"$tmp/conf/bf_scalar.conf"

count() {	# count NAME N CMD...: callgrind's count of CMD, into $tmp/NAME.N
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$1.$2" "${@:3}" >/dev/null 2>&1
}
count_hits() {	# count_hits N: N hits of bf_scalar through libmemo, into $tmp/hit.N
	# the preload set for valgrind itself: its launcher passes it on
	LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/conf" MEMO_STATS="$tmp/stats.$1" \
		count hit "$1" "$BP/calls" hits 0 "$1"
	# every call a hit, or the count is of something else
	grep -q "\"hits\": $1, \"misses\": 0," "$tmp/stats.$1" ||
		{ echo "$me: not $1 hits: $(cat "$tmp/stats.$1")" >&2; exit 1; }
}
total() { sed -n 's/^summary: //p' "$tmp/$1"; }
# the instructions of objects named like $2 in callgrind file $1
objects() {
	callgrind_annotate --threshold=100 --auto=no "$tmp/$1" 2>/dev/null |
		awk -v pat="$2" '$0 ~ pat && $0 ~ /^ *[0-9,]+ / { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
# per N2-COUNT N1-COUNT [CALLS]: a call's share of the difference, where
# each of the N calls made CALLS (default 1)
per() { echo $((($1 - $2) / (${3:-1} * (n2 - n1)))); }
