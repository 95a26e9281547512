#!/usr/bin/env bash
# memcached store, a pool of 3: keys spread over all three (ketama); one server
# killed mid-run: its keys fail (the caller computes), errors are counted,
# nothing hangs; restarted on its port: reconnects are counted, hits resume.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached; P1=$MC_PORT
start_memcached; P2=$MC_PORT; PID2=$MC_PID
start_memcached; P3=$MC_PORT

# A generous timeout: a live server that answers late on a loaded machine is
# not what this test is about (a dead one refuses at once, whatever it is).
mc_driver "127.0.0.1:$P1, 127.0.0.1:$P2,127.0.0.1:$P3" 2000
mc set k 300 100
expect_eq "$(val stored)" 300 "stored"
mc report
items() { sed -n "s/^memcached 127.0.0.1:$1 up items=\([0-9]*\).*/\1/p" "$T/answer"; }
I1=$(items "$P1"); I2=$(items "$P2"); I3=$(items "$P3")
note "items per server: $I1 $I2 $I3"
for i in "$I1" "$I2" "$I3"; do [ "${i:-0}" -gt 0 ] || fail "a server holds no key: $I1 $I2 $I3"; done
expect_eq $((I1 + I2 + I3)) 300 "items over the pool"

kill -KILL "$PID2"; wait "$PID2" 2>/dev/null
mc get k 300 100
expect_eq "$(val hits)" $((I1 + I3)) "hits with server 2 dead"
expect_eq "$(val bad)" 0 "wrong values"
expect_eq $(($(val misses) + $(val failed))) "$I2" "keys of server 2 not served"
[ "$(val errors)" -ge 1 ] || fail "errors not counted: $R"
mc report
grep -q "^memcached 127.0.0.1:$P2 down" "$T/answer" || fail "server 2 not reported down"

# Same port again: an empty server. Writes retry until its breaker lets a
# probe through; the probe's success is a reconnect.
start_memcached -p "$P2"
expect_eq "$MC_PORT" "$P2" "restarted port"
mc setall k 300 100 20
expect_eq "$(val stored)" 300 "stored after restart"
[ "$(val reconnects)" -ge 1 ] || fail "reconnects not counted: $R"
mc get k 300 100
expect_eq "$(val hits)/$(val bad)" 300/0 "hits after restart"
