#!/usr/bin/env bash
# Owns: the folder's store of small entries (src/store/small.c, small2.mdb):
# small entries go there and large ones stay files; an entry written as a
# file before (by an older libmemo, or small_store = no) is still a hit, and
# its next write moves it; an entry that grows or shrinks across SMALL_MAX
# moves, never leaving a stale copy that a get would prefer; del removes
# both; gets/cas loses no update with four processes; eight writers and
# readers at once see only whole values; a writer killed with SIGKILL in
# the middle of a stream of writes leaves only whole entries, and the next
# writer is not blocked by the lock it held; a child after fork uses the
# parent's handle (LMDB's environment is opened again in the child).
# Calls $P/unit/store_folder with -S (small_store = yes).
source "$TOP/tests/lib.sh"
S="$P/unit/store_folder"
c="$T/cache"
files() { find "$c" -path "$c/[0-9a-f][0-9a-f]/*" -name 'm1-*' | wc -l; }

note "small entries in small2.mdb, large ones in files"
"$S" -S "$c" fill s 200 100 2>/dev/null || fail "fill small"
"$S" -S "$c" set big 20000 9 >/dev/null 2>&1 || fail "set big"
[ -s "$c/small2.mdb" ] || fail "no small2.mdb"
expect_eq "$(files)" 1 "entry files (the large one)"
expect_eq "$("$S" -S "$c" get s17 2>/dev/null)" "hit 100 17" "small get"
expect_eq "$("$S" -S "$c" get big 2>/dev/null)" "hit 20000 9" "large get"

note "an entry written as a file before is a hit, and its next write moves it"
"$S" "$c" set old 100 1 >/dev/null 2>&1 || fail "set as a file"
expect_eq "$(files)" 2 "entry files after a write with small_store = no"
expect_eq "$("$S" -S "$c" get old 2>/dev/null)" "hit 100 1" "get of the file entry"
"$S" -S "$c" set old 100 2 >/dev/null 2>&1 || fail "set again"
expect_eq "$(files)" 1 "entry files after the rewrite"
expect_eq "$("$S" -S "$c" get old 2>/dev/null)" "hit 100 2" "get after the move"

note "an entry crossing the small store's bound moves with it"
"$S" -S "$c" set x 100 1 >/dev/null 2>&1 || fail "set x small"
"$S" -S "$c" set x 5000 2 >/dev/null 2>&1 || fail "set x large"
expect_eq "$("$S" -S "$c" get x 2>/dev/null)" "hit 5000 2" "grown entry"
"$S" -S "$c" set x 100 3 >/dev/null 2>&1 || fail "set x small again"
expect_eq "$("$S" -S "$c" get x 2>/dev/null)" "hit 100 3" "shrunk entry"
expect_eq "$(files)" 1 "entry files (the large one only)"
"$S" -S "$c" del x 2>/dev/null; expect_eq $? 0 "del x"
"$S" -S "$c" get x >/dev/null 2>&1; expect_eq $? 1 "get after del"

note "gets/cas: four processes, 50 increments each"
pids=()
for i in 1 2 3 4; do "$S" -S "$c" count counter 50 2>"$T/count.$i" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "a counter process failed"; done
expect_eq "$("$S" -S "$c" get counter 2>/dev/null)" "hit 8 200" "counter"

note "eight writers and readers at once, small and large values"
pids=()
for i in $(seq 0 7); do "$S" -S "$c" hammer - "$i" 150 2>"$T/hammer.$i" & pids+=($!); done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { cat "$T/hammer.$i"; fail "writer $i saw an invalid entry"; }
done

note "a writer killed with SIGKILL mid-stream"
for attempt in 1 2 3; do
	timeout 60 "$S" -S "$c" fill k$attempt- 100000 100 2>/dev/null &
	pid=$!
	# kill it once it has written some of the entries read below (it
	# writes 100000): by what a reader sees, not by the file's size, which
	# an earlier attempt's pages may already have passed
	for i in $(seq 1 1000); do
		"$S" -S "$c" get k$attempt-140 >/dev/null 2>&1 && break
		sleep 0.01
	done
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	bad=0 hits=0
	for i in $(seq 0 7 700); do
		out=$("$S" -S "$c" get k$attempt-$i 2>/dev/null)
		case $? in 0) hits=$((hits + 1)) ;; 1) ;; *) bad=1; echo "k$attempt-$i: $out" ;; esac
	done
	[ $bad = 0 ] || fail "after a killed writer, a get saw a broken entry or failed"
	[ $hits -gt 0 ] || fail "no entry written before the kill is there"
	timeout 20 "$S" -S "$c" fill after$attempt- 50 100 2>/dev/null || fail "the next writer failed or waited"
	expect_eq "$("$S" -S "$c" get after${attempt}-49 2>/dev/null)" "hit 100 49" "a write after the kill"
done

note "fork: the child uses the parent's store"
"$S" -S "$c" forkget s5 fresh 2>"$T/fork.err"; rc=$?
[ $rc = 0 ] || { cat "$T/fork.err"; fail "forkget exits $rc"; }
expect_eq "$("$S" -S "$c" get fresh 2>/dev/null)" "hit 100 7" "the child's entry"
exit 0
