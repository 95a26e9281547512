#!/usr/bin/env bash
# Owns: a writer killed with SIGKILL in the middle of writing a large entry
# (src/store/store_folder.c: temp file + rename). tests/progs/trust/libstall.so
# stalls the write of the entry's temp file half-way, so the kill lands there
# every time. After it: no entry (only the dead writer's temp, never read),
# and the next run computes, prints the plain output, complains of nothing,
# and stores an entry the run after serves.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP/tests/progs/trust/memo.d/big_fill.conf" memo.d/
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
N=$((16 * 1024 * 1024))
st() { stat_of "$T/stats.jsonl" big_fill "$1"; }
MEMO_DISABLE=1 "$P/trust/trust" 6 $N >plain.out || fail "plain run"

note "the writer is killed half-way through the entry"
STALL_MARK="$T/stalled" LD_PRELOAD="$PRELOAD $P/trust/libstall.so" \
	"$P/trust/trust" 6 $N >killed.out 2>killed.err &
pid=$!
_pids+=("$pid")
for i in $(seq 1 600); do
	[ -e stalled ] && break
	kill -0 "$pid" 2>/dev/null || { cat killed.err; fail "the writer ended before writing"; }
	sleep 0.05
done
[ -e stalled ] || fail "the writer never reached the entry's write"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
expect_eq "$?" 137 "the writer's exit status (SIGKILL)"
[ -z "$(find cache -name 'm1-*')" ] || fail "a half-written entry is visible"
tmp=$(find cache -name '.t.*')
[ -n "$tmp" ] || fail "no temp file left by the killed writer"
[ "$(stat -c %s "$tmp")" -gt 0 ] && [ "$(stat -c %s "$tmp")" -lt $N ] ||
	fail "the temp file is not a partial entry ($(stat -c %s "$tmp") bytes)"

note "the next run is correct and stores a whole entry"
reset_runs
under_memo "$P/trust/trust" 6 $N >next.out 2>next.err || { cat next.err; fail "next run"; }
same plain.out next.out "the run after the kill"
[ -s next.err ] && fail "the run after the kill complained: $(cat next.err)"
expect_eq "$(runs big_fill)/$(st sets)/$(st rejected)/$(st errors)" 1/1/0/0 "next: runs/sets/rejected/errors"
[ -n "$(find cache -name 'm1-*')" ] || fail "no entry after the next run"

reset_runs
under_memo "$P/trust/trust" 6 $N >last.out 2>last.err || fail "last run"
same plain.out last.out "the run after that"
expect_eq "$(runs big_fill)/$(st hits)" 0/1 "last: runs/hits"
