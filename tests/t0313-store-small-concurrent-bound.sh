#!/usr/bin/env bash
# Owns: max_size over the store of small entries under concurrent writers
# (src/store/small.c, "Bounded"): small2.mdb keeps its pages under a cap (3/4
# of max_size), evicting its least recently used entries from the front of
# its "used" tree down to a low-water mark, so that writers never take the
# file, which never shrinks, past the bound. Four processes of a real
# program under LD_PRELOAD (smallfill: 20,000 sw_fill results of its own
# each, entries of ~180 bytes, ~25 MB in LMDB unbounded) write at once into
# a folder with max_size = 16M. Afterwards du of the folder, but for the
# records kept beside the entries (stats/, identity/), is within max_size
# (the slack stated: none); each writer's output, and a reader's of every
# seed afterwards, equal the runs without libmemo, and no read was rejected
# (every entry read whole, or a miss). The old build left 25 MB (one
# evictor could not keep up, and the file kept what it grew).
source "$TOP/tests/lib.sh"
c="$T/cache"
max_k=$((16 << 10))
k=20000
bin="$P/small/smallfill"

mkdir -p memo.d
cp "$TOP"/tests/progs/small/memo.d/*.conf memo.d/
conf_cache dir="$c" max_size=16M stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

for i in 0 1 2 3; do MEMO_DISABLE=1 "$bin" $((i * k)) $k >plain.$i || fail "plain run $i"; done
note "four writers of $k entries each at once, max_size = 16M"
start=$(date +%s)
pids=()
for i in 0 1 2 3; do under_memo "$bin" $((i * k)) $k >memo.$i 2>err.$i & pids+=($!); done
for i in 0 1 2 3; do wait "${pids[$i]}" || { cat err.$i; fail "writer $i failed"; }; done
note "the writers took $(($(date +%s) - start)) s"
for i in 0 1 2 3; do same plain.$i memo.$i "writer $i"; done

du_k=$(du -sk --exclude=stats --exclude=identity "$c" | cut -f1)
mdb_k=$(du -skc "$c"/small*.mdb | tail -n 1 | cut -f1)
note "du $du_k KiB (small2.mdb $mdb_k KiB) for max_size $max_k KiB"
[ "$du_k" -le "$max_k" ] || fail "du $du_k KiB over max_size $max_k KiB"

note "a reader of every seed: whole entries or misses"
cat plain.0 plain.1 plain.2 plain.3 >plain.all
rm -f "$T/stats.jsonl"
# Its misses are not stored (a threshold no call reaches): stored, they
# evicted the entries it had not read yet, and the last writers' entries,
# read last, could all be gone by then (no hit at all, once under ASan).
sed -i 's/^time_threshold = .*/time_threshold = 1000/' memo.d/sw_fill.conf
under_memo "$bin" 0 $((4 * k)) >again.out 2>again.err || { cat again.err; fail "the reader failed"; }
same plain.all again.out "the reader"
hits=$(stat_of "$T/stats.jsonl" sw_fill hits)
note "the reader's hits: $hits of $((4 * k))"
[ "$hits" -gt 0 ] || fail "nothing left to read"
expect_eq "$(stat_of "$T/stats.jsonl" sw_fill rejected)" 0 "entries rejected (torn or bad)"
expect_eq "$(stat_of "$T/stats.jsonl" sw_fill errors)" 0 "store errors"
exit 0
