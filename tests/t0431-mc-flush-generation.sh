#!/usr/bin/env bash
# `memo flush` with memcached: no entry from before a flush is ever served.
# 1. Layered (a folder per node before memcached): node B's folder kept a
#    copy of the generation it read; a later flush made on node A must still
#    reach B, whose folder holds entries of the old generation.
# 2. A pool of two servers: the one holding the flush generation dies; the
#    other still holds entries of the generation before the flush. A node
#    that never read the generation cannot know it, so nothing may be served
#    from them: the calls compute (and libmemo says why). Once the server
#    answers again, the same process reads the generation and memoizes again.
source "$TOP/tests/lib.sh"

bin="$P/mc/mcmain"
raw() { python3 "$TOP/tests/progs/mc/mcraw.py" "$@"; }
MEMO_DISABLE=1 "$bin" 8 >plain.out || fail "plain run"
# node NAME CONFIG [HOST]: run mcmain 8 with the config folder CONFIG, on
# node HOST (its own identity folder, where it keeps the generation it read)
node() {
	reset_runs
	rm -f stats.jsonl
	XDG_CACHE_HOME="$T/host-${3:-a}" MEMO_CONFIG="$T/$2" under_memo "$bin" 8 >"$1.out" 2>"$1.err" ||
		{ cat "$1.err"; fail "$1: run"; }
	same plain.out "$1.out" "$1"
}
# conf DIR FOLDER SERVERS...: a config folder for mc_slow
conf() {
	local d=$1 folder=$2
	shift 2
	mkdir -p "$d"
	cp "$TOP"/tests/progs/mc/memo.d/mc_slow.conf "$d/"
	{
		echo "[cache]"
		echo "dir = $folder"
		echo "servers = $*"
		echo "timeout_ms = 2000"
		echo "stats = $T/stats.jsonl"
	} >"$d/cache.conf"
}

note "layered: a flush made on node A reaches node B past B's folder"
start_memcached
S="127.0.0.1:$MC_PORT"
conf node-a "$T/folder-a" "$S"
conf node-b "$T/folder-b" "$S"
"$B/memo" flush -c node-a mc_slow >flush1.out 2>&1 || { cat flush1.out; fail "first flush"; }
node b1 node-b
expect_eq "$(runs mc_slow)" 8 "b1: bodies run"
node b2 node-b
expect_eq "$(runs mc_slow)" 0 "b2: bodies run (hits)"
"$B/memo" flush -c node-a mc_slow >flush2.out 2>&1 || { cat flush2.out; fail "second flush"; }
node b3 node-b
expect_eq "$(runs mc_slow)" 8 "b3: bodies run after the flush made on node A"
stop_pid "$MC_PID"

note "a pool: the server holding the generation is down"
start_memcached
P1=$MC_PORT M1=$MC_PID
start_memcached
P2=$MC_PORT M2=$MC_PID
conf pool off "127.0.0.1:$P1, 127.0.0.1:$P2"
node p1 pool
expect_eq "$(runs mc_slow)" 8 "p1: bodies run"
XDG_CACHE_HOME="$T/host-b" "$B/memo" flush -c pool mc_slow >flush3.out 2>&1 || { cat flush3.out; fail "pool flush"; }
if raw "$P1" keys >keys1 && grep -q '^g1-' keys1; then
	gen=$M1 other=$P2
else
	gen=$M2 other=$P1
fi
raw "$other" keys >keys-other
grep -q '^m1-' keys-other || fail "no entry lives on the server without the generation"
stop_pid "$gen"
node p2 pool c
expect_eq "$(runs mc_slow)" 8 "p2: bodies run (entries from before the flush are not served)"
grep -q "flush generation" p2.err || { cat p2.err; fail "p2: libmemo did not say why it computes"; }

note "the server stalls, then comes back: asked again, memoized again"
# one process through all of it, on a node that never read the generation:
# its first round computes (the server holding the generation does not
# answer), then the server resumes; the second round reads the generation
# and computes (nothing was stored under it yet), the third hits.
if [ "$gen" = "$M1" ]; then start_memcached -p "$P1"; M1=$MC_PID; else start_memcached -p "$P2"; M2=$MC_PID; fi
"$B/memo" flush -c pool mc_slow >flush4.out 2>&1 || { cat flush4.out; fail "flush, pool whole"; }
if raw "$P1" keys >keys1 && grep -q '^g1-' keys1; then held=$M1; else held=$M2; fi
conf pool3 off "127.0.0.1:$P1, 127.0.0.1:$P2"
sed -i 's/timeout_ms = 2000/timeout_ms = 200/' pool3/cache.conf
MEMO_DISABLE=1 "$bin" 8 0 0 nogate >plain3.out || fail "plain run, three rounds"
touch gate
reset_runs
kill -STOP "$held"
XDG_CACHE_HOME="$T/host-d" MEMO_CONFIG="$T/pool3" under_memo "$bin" 8 0 0 gate >p3.out 2>p3.err &
p3=$!
_pids+=("$p3")
for i in $(seq 1 1000); do [ "$(runs mc_slow)" = 8 ] && break; sleep 0.02; done
expect_eq "$(runs mc_slow)" 8 "p3: the first round computed"
kill -CONT "$held"
rm gate
wait "$p3" || { cat p3.err; fail "p3: run"; }
same plain3.out p3.out "p3"
expect_eq "$(runs mc_slow)" 16 "p3: bodies run (the second round computed, the third hit)"
grep -q "flush generation could not be read" p3.err || { cat p3.err; fail "p3: the first round not said"; }
