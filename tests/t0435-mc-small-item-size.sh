#!/usr/bin/env bash
# A memcached started with the smallest item size (-I 1k): values split into
# chunks of what fits (1 KiB less libmemo's allowance for the item's header)
# are read back as hits by the next process, not refused as malformed; the
# output is the unmemoized run's, byte for byte.
source "$TOP/tests/lib.sh"

start_memcached -I 1k -o slab_chunk_max=1024
mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
printf '[cache]\nservers = 127.0.0.1:%s\ntimeout_ms = 1000\nstats = %s\n' "$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
N=1000	# doubles: 8,000 bytes, some 16 chunks
raw() { python3 "$TOP/tests/progs/mc/mcraw.py" "$MC_PORT" "$@"; }
run() {	# run NAME: a process with its own empty folder cache
	reset_runs
	XDG_CACHE_HOME="$T/x-$1" under_memo "$bin" 1 $N >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1: run"; }
	same plain.out "$1.out" "$1"
}

MEMO_DISABLE=1 "$bin" 1 $N >plain.out || fail "plain run"
run first
expect_eq "$(runs mc_big)" 2 "first: bodies run"
raw keys >keys.txt
[ "$(grep -c '\.c[0-9]*$' keys.txt)" -ge 8 ] || fail "values were not chunked"
run second
expect_eq "$(runs mc_big)" 0 "second: bodies run"
expect_eq "$(stat_of stats.jsonl mc_big hits)" 2 "second: hits"
expect_eq "$(stat_of stats.jsonl mc_big rejected)" 0 "second: rejected"
