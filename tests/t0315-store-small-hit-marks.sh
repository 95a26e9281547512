#!/usr/bin/env bash
# Owns: a hit on a small entry written over a minute ago marks it used in
# small2.mdb-use (a store into a shared map, src/store/small.c), and writes
# nothing into small2.mdb: the old build moved each such entry to the end of
# "used", a write transaction per 128 hits (~6 us a hit, every hit of a
# rerun). Eviction reads the marks, in another process: the entries hit
# outlive those written after them and never hit (a second chance), and the
# folder stays within max_size. A writer killed with SIGKILL while its
# eviction moves hit entries leaves only whole entries, and the next writer
# is not blocked. Marks made by a clock hours ahead do not keep an eviction
# from ending. A map of marks that cannot be made is said, and the store
# works without it. "Hours later" is libclockshift.so's wall clock moved
# forward (tests/progs/small), not a wait.
# Calls $P/unit/store_folder -S.
source "$TOP/tests/lib.sh"
S="$P/unit/store_folder"
c="$T/cache"
max=$((16 << 20))
later() {	# later HOURS CMD...: CMD with the wall clock HOURS ahead
	local h=$1
	shift
	CLOCKSHIFT=$((h * 3600)) LD_PRELOAD="$P/small/libclockshift.so" "$@"
}

note "hits two hours after the writes: marked, small2.mdb not written"
"$S" -S -m $max "$c" fill a 3000 60 2>/dev/null || fail "fill a"
"$S" -S -m $max "$c" fill b 3000 60 2>/dev/null || fail "fill b"
before=$(stat -c '%y %s' "$c/small2.mdb")
expect_eq "$(later 2 "$S" -S -m $max "$c" getall a 3000 2>/dev/null)" "hits 3000 misses 0" "hits on a"
expect_eq "$(stat -c '%y %s' "$c/small2.mdb")" "$before" "small2.mdb's mtime and size after the hits"
[ -s "$c/small2.mdb-use" ] || fail "no small2.mdb-use"

note "eviction, in another process, gives the entries hit a second chance"
later 2 "$S" -S -m $max "$c" fill c 42000 60 2>/dev/null || fail "fill c"
expect_eq "$("$S" -S -m $max "$c" getall a 3000 2>/dev/null)" "hits 3000 misses 0" "a, hit before c was written"
read -r _ hits _ misses < <("$S" -S -m $max "$c" getall b 3000 2>/dev/null)
# b was written after a and never hit: evicted first, but for the few
# sharing a slot of the map with an entry of a (2% of 131,072 slots)
[ "$hits" -le 300 ] || fail "b, never hit: $hits of 3000 still there (evicted: at most 300 left)"
du_k=$(du -sk "$c" | cut -f1)
note "du $du_k KiB for max_size $((max >> 10)) KiB"
[ "$du_k" -le $((max * 11 / 10 >> 10)) ] || fail "du $du_k KiB over max_size + 10%"

note "a writer killed with SIGKILL while its eviction moves entries hit"
for attempt in 1 2 3; do
	later $((2 + 2 * attempt)) "$S" -S -m $max "$c" getall c 42000 >/dev/null 2>&1
	later $((2 + 2 * attempt)) timeout 60 "$S" -S -m $max "$c" fill k$attempt- 100000 60 2>/dev/null &
	pid=$!
	sleep "0.$((attempt * 3))"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	for p in a c k$attempt-; do
		"$S" -S -m $max "$c" getall $p 42000 >/dev/null 2>&1
		rc=$?
		[ $rc = 0 ] || fail "after the kill, getall $p exits $rc (3: an entry that does not verify)"
	done
	timeout 20 "$S" -S -m $max "$c" fill after$attempt- 50 60 2>/dev/null ||
		fail "the next writer failed or waited"
	expect_eq "$("$S" -S -m $max "$c" get after${attempt}-49 2>/dev/null)" "hit 60 49" "a write after the kill"
done

note "marks from a clock 100 hours ahead: eviction still ends, within max_size"
f="$T/ahead"
# e fills most of the cap and is all marked: the eviction g's writes make
# moves e to the end, and finds it at the front again, still marked later
"$S" -S -m $max "$f" fill e 30000 60 2>/dev/null || fail "fill e"
later 100 "$S" -S -m $max "$f" getall e 30000 >/dev/null 2>&1 || fail "getall e"
timeout 60 "$S" -S -m $max "$f" fill g 20000 60 2>/dev/null || fail "the writer evicting failed or never ended"
du_k=$(du -sk "$f" | cut -f1)
[ "$du_k" -le $((max * 11 / 10 >> 10)) ] || fail "du $du_k KiB over max_size + 10%"

note "no map of marks: said, and the store works without it"
d="$T/nomarks"
mkdir -p "$d/small2.mdb-use"
"$S" -S "$d" set x 100 1 >/dev/null 2>"$T/err" || fail "set x"
grep -q "small2.mdb-use': cannot map the marks of hits" "$T/err" || { cat "$T/err"; fail "not said"; }
expect_eq "$(later 2 "$S" -S "$d" get x 2>/dev/null)" "hit 100 1" "a hit without marks"
[ -s "$d/small2.mdb" ] || fail "the entry is not in small2.mdb"
exit 0
