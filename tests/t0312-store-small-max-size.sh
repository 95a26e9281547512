#!/usr/bin/env bash
# Owns: max_size over the store of small entries: small2.mdb counts whole
# (its file never shrinks; its entries share it by their sizes), and
# eviction removes the least recently used of them a few per transaction,
# so that freed pages are reused and the file stays near the bound (its
# own cap, 3/4 of max_size, with its own eviction: small.c "Bounded"). A
# writer of 80,000 entries of ~160 bytes (~30 MB in LMDB) into a folder with
# max_size = 16M: afterwards du of the folder, but for the records beside
# the entries (stats/), is within 10% of max_size, and its last entry is
# still there. (Four writers at once: t0313.)
# Calls $P/unit/store_folder -S.
source "$TOP/tests/lib.sh"
S="$P/unit/store_folder"
c="$T/cache"
max=$((16 << 20))
"$S" -S -m $max "$c" fill w- 80000 60 2>"$T/fill" || { cat "$T/fill"; fail "the writer failed"; }
[ -s "$c/small2.mdb" ] || fail "no small2.mdb"
du_k=$(du -sk --exclude=stats "$c" | cut -f1)
note "du $du_k KiB for max_size $((max >> 10)) KiB"
[ "$du_k" -le $((max * 11 / 10 >> 10)) ] || fail "du $du_k KiB over max_size $((max >> 10)) KiB + 10%"
expect_eq "$("$S" -S "$c" get w-79999 2>/dev/null)" "hit 60 79999" "the last entry"
exit 0
