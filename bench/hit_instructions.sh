#!/usr/bin/env bash
# The user-space instructions of a remote hit (bf_scalar through libmemo and
# memcached) against a bare libmemcached get of a value of the same size over
# as many distinct keys (bench/calls' baseline, its snprintf of the key
# included), counted by valgrind's callgrind: this VM has no hardware
# counters for perf, and a count does not move with the machine's load as
# times do. Each side runs N1 and N2 calls; the difference over N2 - N1
# leaves start-up out. Prints the two counts a call, their ratio, and
# libmemo's own objects' share. Starts its own memcached on a kernel-chosen
# port and stops it by pid.
#
#   B=$PWD/build bench/hit_instructions.sh [N2]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
: "${B:=$top/build}"
command -v valgrind >/dev/null || { echo "hit_instructions: needs valgrind" >&2; exit 1; }
make --no-print-directory -s -C "$top" B="$B"
make --no-print-directory -s -C "$top" -f bench/Makefile B="$B"
BP=$B/bench
n2=${1:-2500}
n1=$((n2 / 5))
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

MEMCACHED_PORT_FILENAME="$tmp/port" memcached -p -1 -U 0 -l 127.0.0.1 -u "$(id -un)" -t 1 -m 64 &
pid=$!
for _ in $(seq 1 200); do [ -s "$tmp/port" ] && break; sleep 0.02; done
port=$(sed -n 's/^TCP INET: //p' "$tmp/port" | head -n 1)
[ -n "$port" ] || { echo "hit_instructions: memcached did not start" >&2; exit 1; }

mkdir -p "$tmp/conf"
printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nstats = off\n' "$port" >"$tmp/conf/cache.conf"
printf '[function bf_scalar]\nprototype = double bf_scalar(int a, double b)\nobject = %s\n' \
	"$BP/libbenchfn.so" >"$tmp/conf/bf_scalar.conf"
memo() { LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/conf" "$@"; }
memo "$BP/calls" fillscalar "$n2"
"$BP/calls" gets 0 "$n2" "$port" store

count() {	# count NAME N CMD...: callgrind's count of CMD, into $tmp/NAME.N
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$1.$2" "${@:3}" >/dev/null 2>&1
}
for n in "$n1" "$n2"; do
	# the preload set for valgrind itself: its launcher passes it on
	LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/conf" MEMO_STATS="$tmp/stats.$n" \
		count hit "$n" "$BP/calls" hits 0 "$n"
	# every call a hit, or the count is of something else
	grep -q "\"hits\": $n, \"misses\": 0," "$tmp/stats.$n" ||
		{ echo "hit_instructions: not $n hits: $(cat "$tmp/stats.$n")" >&2; exit 1; }
	count get "$n" "$BP/calls" gets 0 "$n" "$port"
done
total() { sed -n 's/^summary: //p' "$tmp/$1"; }
# the instructions of objects named like $2 in callgrind file $1
objects() {
	callgrind_annotate --threshold=100 --auto=no "$tmp/$1" 2>/dev/null |
		awk -v pat="$2" '$0 ~ pat && $0 ~ /^ *[0-9,]+ / { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
per() { echo $((($1 - $2) / (n2 - n1))); }
hit=$(per "$(total hit.$n2)" "$(total hit.$n1)")
get=$(per "$(total get.$n2)" "$(total get.$n1)")
own=$(per "$(objects hit.$n2 'libmemo')" "$(objects hit.$n1 'libmemo')")
echo "hit_instructions $hit"
echo "bare_get_instructions $get"
echo "libmemo_own_instructions $own   (libmemo's objects alone, within the hit)"
awk -v h="$hit" -v g="$get" 'BEGIN { printf "ratio %.2f, libmemo over the bare get %d a hit\n", h / g, h - g }'
