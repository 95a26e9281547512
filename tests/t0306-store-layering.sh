#!/usr/bin/env bash
# Owns: store_open's layering (src/store/store.c): a folder in front of a shared
# layer (get fills the folder on a hit behind it; set and del go to both;
# gets/cas only to the shared layer), and loading the memcached backend with
# dlopen, or going on with the folder alone when it cannot be loaded.
# Calls $P/unit/store_folder, and a real memcached when the backend is built.
source "$TOP/tests/lib.sh"
S="$P/unit/store_folder"
f="$T/front" b="$T/back"
L=("$S" -l "$b" "$f")	# the shared layer is a second real folder store

note "layers: set to both, get fills the front, del from both"
expect_eq "$("${L[@]}" open 2>/dev/null)" "folder+memcached" "layered store"
"${L[@]}" set x 300 4 >/dev/null 2>&1 || fail "layered set"
expect_eq "$("$S" "$f" get x 2>/dev/null)" "hit 300 4" "front after a layered set"
expect_eq "$("$S" "$b" get x 2>/dev/null)" "hit 300 4" "back after a layered set"
"$S" "$f" del x >/dev/null 2>&1 || fail "del in front"
expect_eq "$("${L[@]}" get x 2>/dev/null)" "hit 300 4" "layered get served from behind"
expect_eq "$("$S" "$f" get x 2>/dev/null)" "hit 300 4" "front refilled by a hit behind it"
"${L[@]}" del x >/dev/null 2>&1 || fail "layered del"
"$S" "$f" get x >/dev/null 2>&1; expect_eq $? 1 "front after a layered del"
"$S" "$b" get x >/dev/null 2>&1; expect_eq $? 1 "back after a layered del"
"${L[@]}" get x >/dev/null 2>&1; expect_eq $? 1 "layered get after del"

note "gets/cas go to the shared layer only"
"${L[@]}" count n 3 >/dev/null 2>&1 || fail "layered count"
expect_eq "$("$S" "$b" get n 2>/dev/null)" "hit 8 3" "counter in the shared layer"
"$S" "$f" get n >/dev/null 2>&1; expect_eq $? 1 "no stale counter copy in front"

note "servers without a loadable backend: a message, then the folder alone"
expect_eq "$("$S" -s 127.0.0.1:1 "$f" open 2>"$T/err")" folder "store without the backend"
grep -q "libmemo: error: '.*libmemo-memcached.so': cannot load the memcached backend" "$T/err" ||
	fail "no message: $(cat "$T/err")"
grep -q "memcached unavailable, using the folder store alone" "$T/err" || fail "no fallback message"

if [ -e "$B/libmemo-memcached.so" ] && command -v memcached >/dev/null; then
	note "the backend dlopened from the folder of the object that calls store_open"
	start_memcached
	cp "$S" "$T/sf"
	ln -s "$B/libmemo-memcached.so" "$T/libmemo-memcached.so"
	M=("$T/sf" -s "127.0.0.1:$MC_PORT" "$f")
	expect_eq "$("${M[@]}" open 2>"$T/err")" "folder+memcached" "store with memcached ($(cat "$T/err"))"
	"${M[@]}" set y 500 9 >/dev/null 2>&1 || fail "set through memcached"
	"$S" "$f" del y >/dev/null 2>&1 || fail "del in front"
	expect_eq "$("${M[@]}" get y 2>/dev/null)" "hit 500 9" "get served by memcached"
	expect_eq "$("$S" "$f" get y 2>/dev/null)" "hit 500 9" "front refilled from memcached"
else
	note "no $B/libmemo-memcached.so: dlopen of the real backend not exercised"
fi
exit 0
