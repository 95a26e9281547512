#!/usr/bin/env bash
# Owns: the config key timeout_max_ms (config.c): below timeout_ms it is an
# error at file:line:col that says how to fix it, and the program still
# runs, unmemoized, with its own output; left out, it is 10 x timeout_ms,
# as `memo config` shows.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/mc_slow.conf memo.d/
export MEMO_CONFIG="$T/memo.d"
unset MEMO_STATS MEMO_LOG MEMO_STRICT MEMO_DISABLE MEMO_EXPLAIN
bin="$P/mc/mcmain"

printf '[cache]\ndir = off\ntimeout_ms = 200\ntimeout_max_ms   = 100\n' >memo.d/cache.conf
"$B/memo" config -c memo.d >out 2>err && fail "memo config accepted timeout_max_ms below timeout_ms"
grep -qxF "libmemo: error: memo.d/cache.conf:4:20: 'timeout_max_ms' (100) is below 'timeout_ms' (200): set it to 200 or more, or leave it out (10 x timeout_ms)" err ||
	{ cat err; fail "memo config: no file:line:col error for timeout_max_ms"; }

MEMO_DISABLE=1 "$bin" 3 >plain.out || fail "plain run"
reset_runs
under_memo "$bin" 3 >run.out 2>run.err || { cat run.err; fail "run"; }
same plain.out run.out "run under the refused config"
grep -qF "cache.conf:4:20: 'timeout_max_ms' (100) is below 'timeout_ms' (200)" run.err ||
	{ cat run.err; fail "the run did not say what is wrong"; }
expect_eq "$(runs mc_slow)" 3 "bodies run"

printf '[cache]\ndir = off\ntimeout_ms = 200\n' >memo.d/cache.conf
"$B/memo" config -c memo.d >out 2>err || { cat err; fail "memo config"; }
grep -qxF "(default) timeout_max_ms = 2000" out || { cat out; fail "timeout_max_ms is not 10 x timeout_ms"; }
printf '[cache]\ndir = off\ntimeout_ms = 200\ntimeout_max_ms = 200\n' >memo.d/cache.conf
"$B/memo" config -c memo.d >out 2>err || { cat err; fail "memo config refused timeout_max_ms = timeout_ms"; }
grep -qxF "(memo.d/cache.conf:4) timeout_max_ms = 200" out || { cat out; fail "timeout_max_ms not shown as set"; }
exit 0
