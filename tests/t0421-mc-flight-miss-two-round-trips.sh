#!/usr/bin/env bash
# Single flight on memcached, round trips counted by a relay (mccount.py:
# each request, and each reply that ends a round trip), not timed: in a
# miss-heavy run each miss costs 2 round trips besides its body, its lookup
# taking the lease in the same exchange (`add ... noreply` then `get ENTRY
# LEASE`) and one exchange setting the result and deleting the lease. In
# the run that hits them all, only the first lookup (the function has not
# hit yet) sends an add, its lease dropped noreply; the others are plain
# gets. Outputs are the unmemoized run's, byte for byte.
source "$TOP/tests/lib.sh"

start_memcached
start_relay mccount.py "$MC_PORT" "$T/relay.log"

mkdir memo.d
printf '[function mc_slow]\nprototype = double mc_slow(int seed, long n)\ntime_threshold = 0\nsingle_flight = yes\n' \
	>memo.d/mc_slow.conf
printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\ntimeout_ms = 2000\nstats = off\n' \
	"$RELAY_PORT" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
K=20

# counts LOG: "<round trips> <adds> <gets>" over the requests on entries
# (m1-) and leases (lease1-): a round trip counts when a request of its
# exchange touched one.
counts() {
	python3 - "$1" <<'PY'
import re, sys
ours = re.compile(r"^(m1|lease1)-")
pending, rts, adds, gets = {}, 0, 0, 0
for line in open(sys.argv[1]):
    w = line.split()
    if w[1] == "req":
        if ours.match(w[3]):
            pending[w[0]] = True
            adds += w[2] == "add"
            gets += w[2] == "get"
    elif pending.pop(w[0], False):
        rts += 1
print(rts, adds, gets)
PY
}

run() {
	: >relay.log
	reset_runs
	under_memo "$bin" $K >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1: run"; }
	said "$1.err" && { cat "$1.err"; fail "$1: unexpected messages"; }
	same plain.out "$1.out" "$1"
	cp relay.log "$1.log"
}

MEMO_DISABLE=1 "$bin" $K >plain.out || fail "plain run"

note "$K misses: 2 round trips each, the lease taken by the lookup"
run miss
expect_eq "$(runs mc_slow)" $K "bodies run"
read -r rts adds gets <<<"$(counts miss.log)"
note "misses: $rts round trips, $adds adds, $gets gets"
expect_eq "$adds" $K "adds (one lease per miss)"
expect_eq "$gets" $K "lookups"
[ "$rts" -le $((2 * K)) ] || fail "$K misses took $rts round trips: more than 2 each"
expect_eq "$(grep -A1 ' req add lease1-' miss.log | grep -c ' req get m1-')" $K \
	"adds sent just before their lookup"

note "$K hits: one round trip each, an add only before the first"
run hit
expect_eq "$(runs mc_slow)" 0 "bodies run"
read -r rts adds gets <<<"$(counts hit.log)"
note "hits: $rts round trips, $adds adds, $gets gets"
expect_eq "$gets" $K "lookups"
expect_eq "$rts" $K "round trips"
expect_eq "$adds" 1 "adds (the first lookup's)"
expect_eq "$(grep -c ' req delete lease1-' hit.log)" 1 "leases dropped by a hit"
