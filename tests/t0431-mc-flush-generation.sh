#!/usr/bin/env bash
# `memo flush` with memcached: no entry from before a flush is ever served.
# 1. Layered (a folder per node before memcached): node B's folder kept a
#    copy of the generation it read; a later flush made on node A must still
#    reach B, whose folder holds entries of the old generation.
# 2. A pool of three servers: a flush's generation is kept on each of them.
#    The one holding the record's own key restarts empty while the others
#    hold entries from before the flush: a node that never read the
#    generation finds it on another server, so none of them is served, and
#    the lost record is written back.
# 3. A pool of two, every server holding the generation stalls: a node that
#    never read it cannot know it, so nothing may be served: the calls
#    compute (and libmemo says why). Once the servers answer again, the same
#    process reads the generation and memoizes again.
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

note "a pool of three: the server holding the record's own key restarts empty"
start_memcached
P1=$MC_PORT M1=$MC_PID
start_memcached
P2=$MC_PORT M2=$MC_PID
start_memcached
P3=$MC_PORT M3=$MC_PID
conf pool off "127.0.0.1:$P1, 127.0.0.1:$P2, 127.0.0.1:$P3"
node p1 pool
expect_eq "$(runs mc_slow)" 8 "p1: bodies run"
XDG_CACHE_HOME="$T/host-b" "$B/memo" flush -c pool mc_slow >flush3.out 2>&1 || { cat flush3.out; fail "pool flush"; }
n=0
for p in $P1 $P2 $P3; do
	raw "$p" keys >"keys-$p"
	grep -q '^g1-' "keys-$p" && n=$((n + 1))
	grep -Eq '^g1-[0-9a-f]{24}$' "keys-$p" && own=$p
done
expect_eq "$n" 3 "servers holding the flush generation"
[ -n "${own:-}" ] || fail "no server holds the record's own key"
for p in $P1 $P2 $P3; do [ "$p" = "$own" ] || cat "keys-$p"; done >keys-others
grep -q '^m1-' keys-others ||
	fail "no entry from before the flush lives on the other servers"
case $own in $P1) pid=$M1 ;; $P2) pid=$M2 ;; *) pid=$M3 ;; esac
stop_pid "$pid"
start_memcached -p "$own"
node p2 pool c
expect_eq "$(runs mc_slow)" 8 "p2: bodies run (entries from before the flush are not served)"
raw "$own" keys >keys-own
grep -Eq '^g1-[0-9a-f]{24}$' keys-own || fail "the lost record was not written back"
node p2b pool d
expect_eq "$(runs mc_slow)" 0 "p2b: bodies run (hits, under the flushed generation)"
for pid in "$M1" "$M2" "$M3" "$MC_PID"; do stop_pid "$pid"; done

note "every server holding the generation stalls, then comes back: asked again, memoized again"
# one process through all of it, on a node that never read the generation:
# its first round computes (no server holding the generation answers), then
# the servers resume; the second round reads the generation and computes
# (nothing was stored under it yet), the third hits.
start_memcached
P1=$MC_PORT M1=$MC_PID
start_memcached
P2=$MC_PORT M2=$MC_PID
conf pool3 off "127.0.0.1:$P1, 127.0.0.1:$P2"
"$B/memo" flush -c pool3 mc_slow >flush4.out 2>&1 || { cat flush4.out; fail "flush, pool whole"; }
sed -i 's/timeout_ms = 2000/timeout_ms = 200/' pool3/cache.conf
MEMO_DISABLE=1 "$bin" 8 0 0 nogate >plain3.out || fail "plain run, three rounds"
touch gate
reset_runs
kill -STOP "$M1" "$M2"
XDG_CACHE_HOME="$T/host-e" MEMO_CONFIG="$T/pool3" under_memo "$bin" 8 0 0 gate >p3.out 2>p3.err &
p3=$!
_pids+=("$p3")
for i in $(seq 1 1000); do [ "$(runs mc_slow)" = 8 ] && break; sleep 0.02; done
expect_eq "$(runs mc_slow)" 8 "p3: the first round computed"
kill -CONT "$M1" "$M2"
rm gate
wait "$p3" || { cat p3.err; fail "p3: run"; }
same plain3.out p3.out "p3"
expect_eq "$(runs mc_slow)" 16 "p3: bodies run (the second round computed, the third hit)"
grep -q "flush generation could not be read" p3.err || { cat p3.err; fail "p3: the first round not said"; }
