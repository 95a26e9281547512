#!/usr/bin/env bash
# The round trips a single-flight miss costs on memcached, measured through a
# proxy that delays every message by DELAY_MS each way (a round trip costs
# 2 x DELAY_MS): one process computing a fresh point of a 1-second function
# (tests/progs/noisy/flight.c), with single_flight = yes against no, medians
# of ROUNDS processes each, in one run. The difference, in round trips, is
# what single flight adds to a miss. Then the holder's round trips for a
# miss in all, counted (not timed) through a relay that logs each request
# and each reply ending a round trip (tests/progs/mc/mccount.py): at most 2,
# the lookup taking the lease and one exchange that sets the result and
# deletes it. Starts its own memcached on a kernel-chosen port and stops it
# by pid.
#
#   B=$PWD/build bench/flight.sh [ROUNDS] [DELAY_MS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${B:=$top/build}"
rounds=${1:-9}
delay=${2:-25}
make --no-print-directory -s -C "$top" -f tests/Makefile B="$B"

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

MEMCACHED_PORT_FILENAME="$tmp/port" memcached -p -1 -U 0 -l 127.0.0.1 -u "$(id -un)" -t 1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$tmp/port" ] && break; sleep 0.02; done
port=$(sed -n 's/^TCP INET: //p' "$tmp/port" | head -n 1)
[ -n "$port" ] || { echo "flight: memcached did not start" >&2; exit 1; }

# The proxy: each chunk read is sent on at its arrival time + delay, so
# requests written together (a pipelined exchange) cost one delay, as on a
# real network. Prints its port when ready.
python3 - "$port" "$delay" >"$tmp/proxy" <<'PY' &
import socket, sys, threading, time, queue
up, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(64)
print(ls.getsockname()[1], flush=True)
def pump(src, dst):
	q = queue.Queue()
	def send():
		while True:
			t, b = q.get()
			if b is None:
				dst.close()
				return
			time.sleep(max(0, t + delay - time.monotonic()))
			dst.sendall(b)
	threading.Thread(target=send, daemon=True).start()
	while True:
		try:
			b = src.recv(65536)
		except OSError:
			b = b""
		q.put((time.monotonic(), b or None))
		if not b:
			return
while True:
	c, _ = ls.accept()
	s = socket.create_connection(("127.0.0.1", up))
	for a, b in ((c, s), (s, c)):
		a.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
		threading.Thread(target=pump, args=(a, b), daemon=True).start()
PY
pids+=($!)
for _ in $(seq 1 200); do [ -s "$tmp/proxy" ] && break; sleep 0.02; done
pport=$(head -n 1 "$tmp/proxy")
python3 "$top/tests/progs/mc/mccount.py" "$port" "$tmp/count.port" "$tmp/count.log" &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$tmp/count.port" ] && break; sleep 0.02; done
cport=$(cat "$tmp/count.port")

# once SINGLE_FLIGHT X [PORT]: the wall time, in µs, of one process
# computing point X (a fresh key), through the proxy or PORT.
once() {
	local t0
	mkdir -p "$tmp/$1"
	printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\ntimeout_ms = 2000\nstats = off\n' \
		"${3:-$pport}" >"$tmp/$1/cache.conf"
	printf '[function slow_square]\nprototype = long slow_square(int x)\nsingle_flight = %s\n' \
		"$1" >"$tmp/$1/slow.conf"
	t0=$(date +%s%N)
	LD_PRELOAD="$B/libmemo.so" MEMO_CONFIG="$tmp/$1" "$B/tests/noisy/flight" slow "$2" >/dev/null
	echo $((($(date +%s%N) - t0) / 1000))
}
median_ms() { sort -n "$1" | sed -n "$((rounds / 2 + 1))p" | awk '{ printf "%.1f", $1 / 1000 }'; }

echo "== single flight on memcached, through a proxy adding $delay ms each way" \
	"($((2 * delay)) ms a round trip), medians of $rounds processes each, alternated"
base=$RANDOM$RANDOM
for ((i = 0; i < rounds; i++)); do	# alternated: a change of load hits both
	once no $((base + i)) >>"$tmp/no.us"
	once yes $((base + 1000 + i)) >>"$tmp/yes.us"
done
no=$(median_ms "$tmp/no.us")
yes=$(median_ms "$tmp/yes.us")
echo "miss, single_flight = no:   $no ms"
echo "miss, single_flight = yes:  $yes ms"
awk -v a="$yes" -v b="$no" -v r="$((2 * delay))" 'BEGIN {
	printf "single flight adds %.1f round trips to a miss (target: 2 at most)\n", (a - b) / r }'

# counted SINGLE_FLIGHT X: "<round trips> <adds>" of one process computing
# point X, over the exchanges that asked an entry (m1-) or a lease (lease1-).
counted() {
	: >"$tmp/count.log"
	once "$1" "$2" "$cport" >/dev/null
	python3 - "$tmp/count.log" <<'PY'
import re, sys
ours = re.compile(r"^(m1|lease1)-")
pending, rts, adds = {}, 0, 0
for line in open(sys.argv[1]):
    w = line.split()
    if w[1] == "req":
        if ours.match(w[3]):
            pending[w[0]] = True
            adds += w[2] == "add"
    elif pending.pop(w[0], False):
        rts += 1
print(rts, adds)
PY
}
read -r rts_no _ <<<"$(counted no $((base + 2000)))"
read -r rts_yes adds <<<"$(counted yes $((base + 2001)))"
echo "miss round trips, counted: $rts_no without single flight, $rts_yes with ($adds add):" \
	"single flight's miss costs $rts_yes round trips in all (target: 2 at most)"
