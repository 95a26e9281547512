#!/usr/bin/env bash
# Owns: max_size of the folder store, in disk blocks: least-recently-used
# entries go first (a hit refreshes an entry), and the folder stays under the
# bound with one writer and with four at once. Calls $P/unit/store_folder.
# Ages are set with touch, never waited for. Sizes are what the entries take
# on disk (st_blocks), so they follow the filesystem's block.
source "$TOP/tests/lib.sh"
S="$P/unit/store_folder"
c="$T/cache"
blk=$(stat -f -c %S "$T")
ondisk() { echo $((($1 + blk - 1) / blk * blk)); }
entry=$(ondisk $((88 + 8 + 8000 + 8)))	# value header + part length + payload + tag
# max_size counts the folders' blocks too: the root, its one bucket (so
# small a max_size), .size and .buckets
max=$((11 * entry + 4 * blk))
# A big entry of ~3.5 entries: over the bound, and evicting it back to 90%
# takes exactly the four least recently used.
bigpay=$((3 * entry + entry / 2 - 104))
[ $(($(ondisk $((bigpay + 104))) * 10)) -gt $((29 * entry)) ] &&
	[ $(($(ondisk $((bigpay + 104))) * 10)) -le $((39 * entry)) ] ||
	skip "a block of $blk bytes is too coarse for this test's sizes"

total() {	# disk bytes of entries (temp and bookkeeping files start with '.';
		# stats/ keeps the evictions, outside max_size: records.h)
	find "$c" -type f ! -name '.*' ! -path "$c/stats/*" -printf '%b\n' | awk '{ s += $1 } END { print s * 512 }'
}
path_of() { find "$c" -name "$("$S" "$c" text "$1")"; }

note "10 entries of $entry bytes fit in $max"
"$S" -m $max "$c" fill k 10 8000 2>/dev/null || fail "fill"
expect_eq "$(total)" $((10 * entry)) "total after filling"
now=$(date +%s)
for i in $(seq 0 9); do	# k0 least recently used ... k9 most
	touch -d "@$((now - 1000 + i))" "$(path_of k$i)" || fail "touch k$i"
done
note "hits on k2 and k5 make them recently used"
"$S" -m $max "$c" get k2 >/dev/null 2>&1 || fail "get k2"
"$S" -m $max "$c" get k5 >/dev/null 2>&1 || fail "get k5"
note "a $bigpay-byte entry pushes the folder over the bound"
"$S" -m $max "$c" set big $bigpay 1 >/dev/null 2>&1 || fail "set big"
for k in k0 k1 k3 k4; do
	"$S" "$c" get $k >/dev/null 2>&1; expect_eq $? 1 "least recently used $k evicted"
done
for k in k2 k5 k6 k7 k8 k9 big; do
	"$S" "$c" get $k >/dev/null 2>&1; expect_eq $? 0 "$k kept"
done
t=$(total)
[ "$t" -le $((max * 9 / 10)) ] || fail "after eviction $t bytes, expected at most 90% of $max"

note "one writer, 300 entries: never over the bound, newest kept"
rm -rf "$c"
for round in 1 2 3; do
	"$S" -m $max "$c" fill r$round- 100 1500 2>/dev/null || fail "fill"
	t=$(total)
	[ "$t" -le $max ] || fail "round $round: $t bytes in a folder bounded to $max"
done
"$S" "$c" get r3-99 >/dev/null 2>&1 || fail "the newest entry was evicted"
"$S" "$c" get r1-0 >/dev/null 2>&1; expect_eq $? 1 "the oldest entry kept"

note "four writers at once: under the bound once they are done"
rm -rf "$c"
pids=()
for w in 0 1 2 3; do
	"$S" -m $max "$c" fill w$w- 150 1500 2>/dev/null &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a writer failed"; done
t=$(total)
[ "$t" -le $max ] || fail "$t bytes in a folder bounded to $max after 4 writers"
[ -z "$(find "$c" -name '.t.*')" ] || fail "temp files left behind"
"$S" -m $max "$c" report >"$T/report" 2>&1
grep -q "of max_size $((max / 1024))K " "$T/report"	# as du -h shows it || fail "report: $(cat "$T/report")"
exit 0
