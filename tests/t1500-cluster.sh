# A cluster in network namespaces: 4 memcached hosts and 4 worker hosts,
# each its own namespace with one veth into a bridge that lives in a
# namespace of its own (every address is inside those namespaces; the host's
# network is untouched). 16 workers, 4 per worker host, sweep overlapping
# ranges of points of a 1-second function, single flight on, one process per
# point, 4 workers on 4 hosts missing each point at once. Checks: every result right; evaluations equal the distinct points.
# Then one memcached is killed and the sweep runs again: only points whose
# entries lived on that server are computed again (at most its share of
# keys), every other one is a hit, every result still right. Each step runs
# under `timeout`, so the test ends by itself; namespaces are removed on any
# exit. Skipped where namespaces cannot be made (not root, no iproute2).
# (With the lease on another server than its entry, the first sweep computed
# a point twice: a waiter saw the lease deleted on one server before the
# holder's set reached the other.)
# `make cluster` runs it alone (.ci/run too).
source "$TOP/tests/lib.sh"

command -v ip >/dev/null || skip "no 'ip' command (iproute2): cannot build the cluster"
ns=memo$$	# namespace names: ${ns}-br, ${ns}-m1.., ${ns}-w1..
made=()
_netns_cleanup() {
	local n
	for n in "${made[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL; done
	for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null; done
}
trap '_cleanup; _netns_cleanup' EXIT
netns_add() {
	ip netns add "$1" 2>netns.err || skip "cannot create network namespaces: $(head -n 1 netns.err)"
	made+=("$1")
	ip -n "$1" link set lo up
}

# host NAME ADDR: a namespace with eth0 at 10.77.0.ADDR/24, bridged.
host() {
	netns_add "$ns-$1"
	ip -n "$ns-br" link add "v$1" type veth peer name eth0 netns "$ns-$1" ||
		fail "$1: cannot make its veth pair"
	ip -n "$ns-br" link set "v$1" master br0 up
	ip -n "$ns-$1" addr add "10.77.0.$2/24" dev eth0
	ip -n "$ns-$1" link set eth0 up
}

netns_add "$ns-br"
ip -n "$ns-br" link add br0 type bridge || skip "cannot create a bridge in a namespace"
ip -n "$ns-br" link set br0 up
servers=
for i in 1 2 3 4; do
	host "m$i" $((10 + i))
	host "w$i" $((20 + i))
	servers="$servers${servers:+, }10.77.0.$((10 + i)):11211"
done
mc_pid=()
for i in 1 2 3 4; do
	# ip netns exec execs memcached: $! is the server's pid
	ip netns exec "$ns-m$i" memcached -p 11211 -U 0 -l "10.77.0.$((10 + i))" -u root \
		2>"mc$i.err" &
	mc_pid[$i]=$!
	_pids+=("${mc_pid[$i]}")
done
# every server answers from every worker host (the bridge forwards)
ask() {	# ask HOSTNS ADDR COMMAND: memcached's reply to one text command
	ip netns exec "$1" timeout 10 python3 - "$2" "$3" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 11211), timeout=5)
s.sendall(sys.argv[2].encode() + b"\r\n")
out = b""
while not (out.endswith(b"END\r\n") or out.startswith(b"VERSION") and out.endswith(b"\n")):
	b = s.recv(65536)
	if not b:
		break
	out += b
sys.stdout.write(out.decode())
PY
}
for i in 1 2 3 4; do
	for try in $(seq 1 100); do
		ask "$ns-w$i" "10.77.0.$((10 + i))" "version" 2>/dev/null | grep -q VERSION && break
		sleep 0.05
	done
	[ "$try" -lt 100 ] || fail "memcached $i does not answer from worker host $i"
done

conf_function slow_square 'long slow_square(int x)' single_flight=yes single_flight_wait_s=30
conf_cache dir=off servers="$servers" connect_timeout_ms=1000 timeout_ms=2000 stats=off
export MEMO_CONFIG="$T/memo.d"

# worker W RUN BASE: points BASE+3(W%4) .. BASE+3(W%4)+11 in order, one
# process each; its stats per point in RUN/W.P.json, its output in
# RUN/out.W. Workers 0-15, 4 per host: W, W+4, W+8 and W+12, one on each
# host, sweep the same range at the same time (a miss of each point on 4
# nodes at once), and the ranges overlap: 21 points in all.
first() { echo $(($2 + 3 * ($1 % 4))); }
worker() {
	local w=$1 run=$2 base=$3 p
	for ((p = $(first $w $base); p < $(first $w $base) + 12; p++)); do
		MEMO_STATS="$T/$run/$w.$p.json" LD_PRELOAD="$PRELOAD" \
			timeout 60 "$P/noisy/flight" slow "$p" >>"$T/$run/out.$w" 2>>"$T/$run/err.$w" ||
			{ echo "point $p: exit $?" >>"$T/$run/err.$w"; return 1; }
	done
}
# sweep RUN BASE [DEAD]: all 16 workers at once, each in its host's
# namespace; each must say nothing but that server DEAD does not answer.
sweep() {
	local run=$1 base=$2 dead=${3:-none} w pids=()
	mkdir -p "$run"
	reset_runs
	for w in $(seq 0 15); do
		ip netns exec "$ns-w$((w / 4 + 1))" bash -c "$(declare -f worker); \
			export T='$T' P='$P' PRELOAD='$PRELOAD'; $(declare -f first); worker $w $run $base" &
		pids+=($!)
	done
	for w in $(seq 0 15); do
		wait "${pids[$w]}" || { cat "$run/err.$w"; fail "$run: worker $w failed"; }
	done
	for w in $(seq 0 15); do
		for ((p = $(first $w $base); p < $(first $w $base) + 12; p++)); do
			echo "$p -> $((p * p + 1))"
		done
	done >"$run/want"
	cat "$run"/out.{0..15} >"$run/got"
	same "$run/want" "$run/got" "$run: every worker's results"
	for w in $(seq 0 15); do
		! grep -v -e "^libmemo: warning: '$dead': memcached server does not answer" \
			-e "reads writable globals (__asan" "$run/err.$w" ||
			fail "$run: worker $w said something"
	done
}
# evaluations RUN: "POINT COUNT" for each point some process of RUN computed.
evaluations() {
	python3 - "$1" <<'PY'
import collections, glob, json, os, sys
n = collections.Counter()
for f in glob.glob(os.path.join(sys.argv[1], "*.json")):
	for line in open(f):
		if line.strip():
			n[int(f.rsplit(".", 2)[1])] += json.loads(line)["symbols"].get(
				"slow_square", {}).get("evaluations", 0)
for p in sorted(n):
	if n[p]:
		print(p, n[p])
PY
}
# entries I...: the entries (m1- keys) memcached servers I... hold.
entries() {
	local i
	for i in "$@"; do ask "$ns-w1" "10.77.0.$((10 + i))" "lru_crawler metadump all"; done |
		grep -c "^key=m1-"
}

note "16 workers, 21 distinct points, single flight"
sweep run1 0
expect_eq "$(runs slow_square)" 21 "evaluations (the distinct points)"

note "memcached 2 killed: its entries are computed again, nothing else"
keys=$(entries 2)
live=$(entries 1 3 4)
expect_eq $((keys + live)) 21 "entries on the 4 servers"
note "memcached 2 held $keys of the 21 entries"
kill -KILL "${mc_pid[2]}"
wait "${mc_pid[2]}" 2>/dev/null
sweep run2 0 10.77.0.12:11211
evaluations run2 >again
n=$(wc -l <again)
note "computed again: $n points ($(runs slow_square) evaluations)"
[ "$n" -le "$keys" ] || fail "$n points computed again, more than the $keys the killed server held"
[ "$n" -ge 1 ] || [ "$keys" = 0 ] || fail "the killed server's entries were served from somewhere"

note "21 new points, memcached 2 still dead: single flight holds on the others"
sweep run3 1000 10.77.0.12:11211
stored=$(($(entries 1 3 4) - live))	# the new points whose home is alive
evaluations run3 >counts
expect_eq "$(wc -l <counts)" 21 "points computed"
cat counts
dup=$(awk '$2 > 1' counts | wc -l)
note "$stored new points on the live servers; $dup points computed more than once, $(runs slow_square) evaluations"
[ "$dup" -le $((21 - stored)) ] ||
	fail "$dup points computed more than once: more than the $((21 - stored)) the dead server was home to"
