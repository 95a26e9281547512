#!/usr/bin/env bash
# The memcached hit benchmark: a get through the store API against a raw
# libmemcached get of the same value, side by side (bench/mc_get.c), for
# 8 B, 1 KiB and 64 KiB values. Runs twice: pinned (server on one CPU, client
# on another, like with like) and unpinned. Starts its own memcached on a
# kernel-chosen port and stops it by pid.
#
#   B=$PWD/build bench/mc_get.sh [ITERS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${B:=$top/build}"
iters=${1:-2000}

objs=("$B/src/store/store_memcached.o" "$B/src/store/mc_io.o" "$B/src/base/log.o" \
	"$B/src/base/util.o" "$B/src/find/elf_peek.o")
make --no-print-directory -s -C "$top" B="$B" "${objs[@]}"
mkdir -p "$B/bench"
cc -std=gnu11 -O2 -g -D_GNU_SOURCE -I"$top/src" $(pkg-config --cflags libmemcached libb2) \
	-o "$B/bench/mc_get" "$top/bench/mc_get.c" "${objs[@]}" \
	$(pkg-config --libs libmemcached libb2) -lpthread

tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

ncpu=$(nproc)
srv_pin=() cli_pin=()
if [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then
	srv_pin=(taskset -c 1) cli_pin=(taskset -c 0)
fi
MEMCACHED_PORT_FILENAME="$tmp/port" "${srv_pin[@]}" memcached -p -1 -U 0 -l 127.0.0.1 \
	-u "$(id -un)" -t 1 &
pid=$!
for _ in $(seq 1 200); do [ -s "$tmp/port" ] && break; sleep 0.02; done
port=$(sed -n 's/^TCP INET: //p' "$tmp/port" | head -n 1)
[ -n "$port" ] || { echo "mc_get: memcached did not start" >&2; exit 1; }

if [ ${#cli_pin[@]} -gt 0 ]; then
	echo "== memcached hit, pinned (server: cpu 1, client: cpu 0), $iters calls x 9 rounds, medians"
	"${cli_pin[@]}" "$B/bench/mc_get" "127.0.0.1:$port" "$iters"
fi
echo "== memcached hit, unpinned"
"$B/bench/mc_get" "127.0.0.1:$port" "$iters"
