#!/usr/bin/env bash
# memcached store: 4 processes x 4 threads on the same and on their own keys
# (some large enough to be chunked, written concurrently): every hit is exact.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached; P1=$MC_PORT
start_memcached; P2=$MC_PORT
mc_driver "127.0.0.1:$P1,127.0.0.1:$P2" 500
mc hammer 4 4 60
grep -h '^hammer' "$T/driver.err"
[ "$(grep -c '^hammer .* bad=0$' "$T/driver.err")" = 4 ] || fail "a process saw a wrong value"
grep -q '^hammer .* hits=[1-9]' "$T/driver.err" || fail "no process hit at all"
