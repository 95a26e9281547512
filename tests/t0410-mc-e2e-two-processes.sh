#!/usr/bin/env bash
# End to end through memcached: a real program under LD_PRELOAD with
# `servers =`; the first process computes and stores, a second process (with
# its own, empty folder cache) hits through memcached; outputs identical.
source "$TOP/tests/lib.sh"

start_memcached
mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
printf '[cache]\nservers = 127.0.0.1:%s\nstats = %s\n' "$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"

MEMO_DISABLE=1 "$bin" 4 >plain.out || fail "plain run"
reset_runs
XDG_CACHE_HOME="$T/x1" under_memo "$bin" 4 >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run"
expect_eq "$(runs mc_slow)" 4 "bodies run by the first process"
expect_eq "$(stat_of stats.jsonl mc_slow sets)" 4 "sets by the first process"

# A fresh folder cache: whatever hits now came from memcached.
reset_runs
XDG_CACHE_HOME="$T/x2" under_memo "$bin" 4 >second.out 2>second.err || { cat second.err; fail "second run"; }
same plain.out second.out "second run"
expect_eq "$(runs mc_slow)" 0 "bodies run by the second process"
expect_eq "$(stat_of stats.jsonl mc_slow hits)" 4 "hits in the second process"
expect_eq "$(stat_of stats.jsonl mc_slow errors)" 0 "errors in the second process"
