# single flight on memcached, counted from memcached's own log (-vv: each
# request a connection sends, each reply it gets): a holder's miss costs the
# lookup that missed (which takes the lease, `add ... noreply`, and asks the
# entry and the lease in one `get` after it, in one exchange) and one
# exchange that sets the result (noreply) and deletes the lease: 2 round
# trips. The lease lives on the entry's server (by key: here there are two
# servers, and both keys are seen on the same one). A waiter's first lookup
# sends its `add` too (it loses); then one request per poll, a `get` of the
# entry and its lease, never an `add` while the lease is held, and at most
# one per 10 ms of its run (an upper bound that a slow machine only loosens).
# (t0421 counts a miss-heavy run's round trips through a relay.)
source "$TOP/tests/lib.sh"

mkdir memo.d
export MEMO_CONFIG="$T/memo.d" FLIGHT_GATE="$T/gate"
conf_function slow_square 'long slow_square(int x)' single_flight=yes single_flight_wait_s=60
conf_function gated_square 'long gated_square(int x)' single_flight=yes single_flight_wait_s=60

# mc_log: start a memcached whose log is mc.N.log; sets MC_PORT, MC_PID.
n=0
mc_log() {
	n=$((n + 1))
	start_memcached -vv 2>"mc.$n.log"
}

# sessions LOG...: each connection that touched an entry (m1-) or a lease
# (lease1-), in the order they were opened, one line each:
#   <round trips> <requests> <adds> <log>:<fd> <first request>
# A round trip is a request whose reply the client waits for (a noreply set
# sent with the next request is part of that request's exchange).
sessions() {
	python3 - "$@" <<'PY'
import re, sys
ours = re.compile(r" (m1|lease1)-")
for path in sys.argv[1:]:
    sess, cur = [], {}
    for line in open(path, errors="replace"):
        m = re.match(r"<(\d+) new .*client connection", line)
        if m:
            cur[m[1]] = {"fd": m[1], "reqs": [], "rts": 0}
            sess.append(cur[m[1]])
            continue
        m = re.match(r"<(\d+) (.*)$", line.rstrip("\n"))
        if m and m[1] in cur and m[2] != "connection closed.":
            cur[m[1]]["reqs"].append(m[2])
            continue
        m = re.match(r">(\d+) (END|STORED|NOT_STORED|EXISTS|DELETED|NOT_FOUND|ERROR)", line)
        if m and m[1] in cur and cur[m[1]]["reqs"] and ours.search(cur[m[1]]["reqs"][-1]):
            cur[m[1]]["rts"] += 1
    for s in sess:
        reqs = [r for r in s["reqs"] if ours.search(r)]
        if reqs:
            adds = sum(r.startswith("add ") for r in reqs)
            print(s["rts"], len(reqs), adds, "%s:%s" % (path, s["fd"]), reqs[0])
PY
}

note "a holder's miss: the lookup that takes the lease, one set-and-delete exchange"
mc_log
a_port=$MC_PORT a_pid=$MC_PID
mc_log
b_port=$MC_PORT b_pid=$MC_PID
conf_cache dir=off servers="127.0.0.1:$a_port, 127.0.0.1:$b_port" timeout_ms=2000 \
	stats="$T/stats.jsonl"
under_memo "$P/noisy/flight" slow 7 >out 2>err || { cat err; fail "run"; }
said err && { cat err; fail "unexpected messages"; }
echo "7 -> 50" >want
same want out "the holder's value"
expect_eq "$(runs slow_square)" 1 "body runs"
under_memo "$P/noisy/flight" slow 7 >out 2>err || { cat err; fail "second run"; }
same want out "the value from the store"
expect_eq "$(runs slow_square)" 1 "body runs after the hit"
stop_pid "$a_pid"
stop_pid "$b_pid"
sessions mc.1.log mc.2.log >sessions
cat sessions
# two lines: had the lease gone to the other server, a process would have
# a connection on each that touched them
expect_eq "$(wc -l <sessions)" 2 "connections that asked for the entry (the holder, the hit)"
read -r rts reqs adds where first <<<"$(head -n 1 sessions)"
grep -q "^add lease1-[0-9a-f]* .* noreply$" <<<"$first" ||
	fail "the holder's lookup does not take the lease first: '$first'"
log=${where%:*} fd=${where#*:}
get=$(grep "^<$fd get " "$log" | head -n 1 | sed "s/^<$fd //")
grep -q "^get m1-[0-9a-f]* lease1-[0-9a-f]*$" <<<"$get" ||
	fail "the holder's lookup does not ask the lease with the entry: '$get'"
[ "$rts" -le 2 ] || fail "the holder's miss took $rts round trips (2 at most)"
expect_eq "$adds" 1 "the holder's adds"
note "holder: $rts round trips, $reqs requests"

note "a waiter: one get of the entry and its lease per poll, an add only with the first"
reset_runs
rm -f stats.jsonl
mc_log
conf_cache dir=off servers="127.0.0.1:$MC_PORT" timeout_ms=2000 stats="$T/stats.jsonl"
start_holder
t0=$(date +%s%N)
under_memo "$P/noisy/flight" gated 9 >out 2>err &
waiter=$!
_pids+=("$waiter")
sleep 1
rm gate
wait "$waiter" || { cat err; fail "the waiter failed"; }
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$HOLDER" || { cat holder.err; fail "the holder failed"; }
echo "9 -> 82" >want
same want out "the waiter's value"
same want holder.out "the holder's value"
expect_eq "$(runs gated_square)" 1 "body runs"
expect_eq "$(stat_sum stats.jsonl gated_square waited)" 1 "waiters"
stop_pid "$MC_PID"
sessions "mc.$n.log" >sessions
cat sessions
expect_eq "$(wc -l <sessions)" 2 "connections (holder, waiter)"
read -r rts reqs adds where first <<<"$(sed -n 2p sessions)"
expect_eq "$adds" 1 "the waiter's adds (its first lookup's)"
grep -q "^add lease1-" <<<"$first" || fail "the waiter's add is not its first request: '$first'"
[ "$reqs" -ge 3 ] || fail "the waiter polled $reqs times: it did not wait"
[ "$reqs" -le $((ms / 10 + 1)) ] ||
	fail "the waiter sent $reqs requests in $ms ms: more than one per 10 ms"
note "waiter: $reqs requests in $ms ms"
