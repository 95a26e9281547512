#!/usr/bin/env bash
# The user-space instructions of a remote hit (bf_scalar through libmemo and
# memcached) against a bare libmemcached get of a value of the same size over
# as many distinct keys (bench/calls' baseline, its keys made before),
# counted by valgrind's callgrind: this VM has no hardware counters for
# perf, and a count does not move with the machine's load as times do.
# Each side runs N1 and N2 calls; the difference over N2 - N1 leaves
# start-up out (the gets' runs both make N2 keys first, and get the last N). Prints the two counts a call, their ratio, and
# libmemo's own objects' share. Starts its own memcached on a kernel-chosen
# port and stops it by pid.
#
#   B=$PWD/build bench/hit_instructions.sh [N2]
me=hit_instructions
source "$(dirname "$0")/callgrind_counts.sh" "$@"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

MEMCACHED_PORT_FILENAME="$tmp/port" memcached -p -1 -U 0 -l 127.0.0.1 -u "$(id -un)" -t 1 -m 64 &
pid=$!
for _ in $(seq 1 200); do [ -s "$tmp/port" ] && break; sleep 0.02; done
port=$(sed -n 's/^TCP INET: //p' "$tmp/port" | head -n 1)
[ -n "$port" ] || { echo "hit_instructions: memcached did not start" >&2; exit 1; }

printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nstats = off\n' "$port" >"$tmp/conf/cache.conf"
memo() { LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/conf" "$@"; }
memo "$BP/calls" fillscalar "$n2"
"$BP/calls" gets 0 "$n2" "$port" store

for n in "$n1" "$n2"; do
	count_hits "$n"
	count get "$n" "$BP/calls" gets $((n2 - n)) "$n" "$port"
done
hit=$(per "$(total hit.$n2)" "$(total hit.$n1)")
get=$(per "$(total get.$n2)" "$(total get.$n1)")
own=$(per "$(objects hit.$n2 'libmemo')" "$(objects hit.$n1 'libmemo')")
echo "hit_instructions $hit"
echo "bare_get_instructions $get"
echo "libmemo_own_instructions $own   (libmemo's objects alone, within the hit)"
awk -v h="$hit" -v g="$get" 'BEGIN { printf "ratio %.2f, libmemo over the bare get %d a hit\n", h / g, h - g }'
