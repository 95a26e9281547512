#!/usr/bin/env bash
# End to end through memcached: an 8 MiB out buffer round trips through
# chunks between two processes; a chunk deleted by hand makes the next call
# a miss and a correct recompute, after which it hits again. A server with
# the smallest item size (-I 1k): values split into chunks of what fits (1
# KiB less libmemo's allowance for the item's header, 512 bytes) are read
# back as hits by the next process, not refused as malformed.
source "$TOP/tests/lib.sh"

start_memcached
mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
conf() { printf '[cache]\nservers = 127.0.0.1:%s\ntimeout_ms = %s\nstats = %s\n' "$MC_PORT" "$1" "$T/stats.jsonl" >memo.d/cache.conf; }
conf 500
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
N=$((1024 * 1024))	# doubles: 8 MiB
raw() { python3 "$TOP/tests/progs/mc/mcraw.py" "$MC_PORT" "$@"; }
run() {	# run NAME: a process with its own empty folder cache
	reset_runs
	XDG_CACHE_HOME="$T/x-$1" under_memo "$bin" 1 $N >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1: run"; }
	same plain.out "$1.out" "$1"
}

MEMO_DISABLE=1 "$bin" 1 $N >plain.out || fail "plain run"
run first
expect_eq "$(runs mc_big)" 2 "first: bodies run"
[ "$(raw keys | grep -c '\.c[0-9]*$')" -ge 16 ] || fail "values were not chunked"
run second
expect_eq "$(runs mc_big)" 0 "second: bodies run"
expect_eq "$(stat_of stats.jsonl mc_big hits)" 2 "second: hits"

chunk=$(raw keys | grep '\.c3$' | head -n 1)
raw delete "$chunk" || fail "deleting '$chunk'"
run third
expect_eq "$(runs mc_big)" 1 "third: the entry with a missing chunk recomputed"
run fourth
expect_eq "$(runs mc_big)" 0 "fourth: bodies run"

note "a server with -I 1k: chunks of 512 bytes"
start_memcached -I 1k -o slab_chunk_max=1024
conf 1000
N=1000	# doubles: 8,000 bytes, some 16 chunks
MEMO_DISABLE=1 "$bin" 1 $N >plain.out || fail "plain run, small items"
run small-first
expect_eq "$(runs mc_big)" 2 "small items, first: bodies run"
raw keys >keys.txt
[ "$(grep -c '\.c[0-9]*$' keys.txt)" -ge 8 ] || fail "small items: values were not chunked"
run small-second
expect_eq "$(runs mc_big)" 0 "small items, second: bodies run"
expect_eq "$(stat_of stats.jsonl mc_big hits)" 2 "small items, second: hits"
expect_eq "$(stat_of stats.jsonl mc_big rejected)" 0 "small items, second: rejected"
