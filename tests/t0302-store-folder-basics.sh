#!/usr/bin/env bash
# Owns: the folder store's single-process behaviour: get/set/del round trip,
# modes 0700/0600, refusing a folder another user owns or others may write, a
# symlinked entry, unwritable and full folders. Calls $P/unit/store_folder.
# As root (as in CI), writes are denied by running as nobody, a file where a
# bucket folder should be, and a tiny tmpfs (skipped where mount is not allowed).
source "$TOP/tests/lib.sh"
S="$P/unit/store_folder"
c="$T/cache/sub"

note "round trip, and the modes of what the store creates"
"$S" "$c" get a >/dev/null 2>&1; expect_eq $? 1 "get before set"
"$S" "$c" set a 1000 7 >/dev/null 2>&1 || fail "set"
expect_eq "$("$S" "$c" get a 2>/dev/null)" "hit 1000 7" "get after set"
"$S" "$c" set a 50 8 >/dev/null 2>&1 || fail "overwrite"
expect_eq "$("$S" "$c" get a 2>/dev/null)" "hit 50 8" "get after overwrite"
"$S" "$c" set g1-ns-sym 0 3 >/dev/null 2>&1 || fail "set of a small record"
expect_eq "$("$S" "$c" get g1-ns-sym 2>/dev/null)" "hit 0 3" "small record"
"$S" "$c" get a 2>"$T/err" >/dev/null
grep -q "errors=0 timeouts=0 read=$((88 + 8 + 50 + 8)) written=0" "$T/err" || fail "bytes_read not counted: $(cat "$T/err")"
"$S" "$c" del a >/dev/null 2>&1; expect_eq $? 0 "del"
"$S" "$c" del a >/dev/null 2>&1; expect_eq $? 1 "del of nothing"
"$S" "$c" get a >/dev/null 2>&1; expect_eq $? 1 "get after del"
expect_eq "$(stat -c %a "$T/cache")" 700 "mode of a created parent"
expect_eq "$(stat -c %a "$c")" 700 "mode of the cache folder"
f=$(find "$c" -name g1-ns-sym)
[ -n "$f" ] || fail "entry file not found"
expect_eq "$(stat -c %a "$f")" 600 "mode of an entry"
expect_eq "$(stat -c %a "$(dirname "$f")")" 700 "mode of a bucket folder"
[ -z "$(find "$c" -name '.t.*')" ] || fail "temp files left behind"

note "a key text that could leave the folder is refused"
"$S" "$c" set "g1-/../../escape" 10 1 >/dev/null 2>"$T/err"; expect_eq $? 2 "set of a key with '/'"
grep -q "key text not allowed" "$T/err" || fail "no message: $(cat "$T/err")"
[ -e "$T/escape" ] && fail "a key wrote outside the folder"

note "a folder another user owns, or others may write, is refused"
mkdir -m 700 "$T/theirs" "$T/open"
chown nobody "$T/theirs"
"$S" "$T/theirs" open >/dev/null 2>"$T/err"; expect_eq $? 1 "open of another user's folder"
grep -q "libmemo: error: '$T/theirs': the cache folder belongs to uid" "$T/err" || fail "no message: $(cat "$T/err")"
chmod 770 "$T/open"
"$S" "$T/open" open >/dev/null 2>"$T/err"; expect_eq $? 1 "open of a group-writable folder"
grep -q "writable by group or others (mode 770)" "$T/err" || fail "no message: $(cat "$T/err")"
chmod 702 "$T/open"
"$S" "$T/open" open >/dev/null 2>&1; expect_eq $? 1 "open of a world-writable folder"
chmod 700 "$T/open"
"$S" "$T/open" open >/dev/null 2>&1 || fail "open of a private folder"

note "a symlinked entry is refused and counted, never followed"
"$S" "$c" set s 100 1 >/dev/null 2>&1 || fail "set"
"$S" "$c" set elsewhere 100 2 >/dev/null 2>&1 || fail "set"
f=$(find "$c" -name "$("$S" "$c" text s)")
g=$(find "$c" -name "$("$S" "$c" text elsewhere)")
cp "$g" "$T/target"
ln -sf "$T/target" "$f"
"$S" "$c" get s >/dev/null 2>"$T/err"; expect_eq $? 2 "get of a symlinked entry"
grep -q "errors=1 " "$T/err" || fail "symlink not counted: $(cat "$T/err")"
grep -q "entry is a symbolic link, ignored" "$T/err" || fail "no message: $(cat "$T/err")"
"$S" "$c" set s 100 3 >/dev/null 2>&1 || fail "set over a symlink"
[ -L "$f" ] && fail "the symlink was written through, not replaced"
cmp -s "$g" "$T/target" || fail "the symlink's target was modified"
expect_eq "$("$S" "$c" get s 2>/dev/null)" "hit 100 3" "entry after replacing the symlink"

note "unwritable folder (running as nobody): error, counted, warned once"
chmod 711 "$T"
mkdir -m 500 "$T/ro"
chown nobody:nogroup "$T/ro"
cp "$S" "$T/sf"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/sf" "$T/ro" set k 100 1 3 \
		>"$T/out" 2>"$T/err"
	expect_eq $? 2 "exit of denied sets"
	grep -q "result=-1" "$T/out" || fail "denied set did not return STORE_ERROR"
	grep -q "errors=3 " "$T/err" || fail "denied sets not counted: $(cat "$T/err")"
	expect_eq "$(grep -c "cannot write cache entry: Permission denied" "$T/err")" 1 \
		"warnings for 3 denied sets"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/sf" "$T/ro" get k >/dev/null 2>&1
	expect_eq $? 1 "get in an unwritable folder"
else
	note "not root or no setpriv: unwritable-folder part skipped"
fi

note "a file where a bucket folder should be (denies root too)"
mkdir -m 700 "$T/files"
for i in $(seq 0 255); do : >"$T/files/$(printf %02x "$i")"; done
"$S" "$T/files" set k 100 1 2 >"$T/out" 2>"$T/err"; expect_eq $? 2 "exit of impossible sets"
grep -q "result=-1" "$T/out" || fail "set did not return STORE_ERROR"
grep -q "errors=2 " "$T/err" || fail "errors not counted: $(cat "$T/err")"
expect_eq "$(grep -c "cannot write cache entry" "$T/err")" 1 "warnings for 2 failed sets"
"$S" "$T/files" get k >/dev/null 2>&1; expect_eq $? 1 "get where buckets are files"

note "a full file system: error, and no temp file left behind"
mkdir "$T/small"
if mount -t tmpfs -o size=64k,mode=0700 tmpfs "$T/small" 2>/dev/null; then
	"$S" "$T/small" set big 200000 1 >"$T/out" 2>"$T/err"
	rc=$?
	"$S" "$T/small" set fits 100 1 >/dev/null 2>&1 || { umount "$T/small"; fail "small set on a tmpfs"; }
	leftover=$(find "$T/small" -name '.t.*')
	got=$("$S" "$T/small" get big 2>/dev/null)
	umount "$T/small"
	expect_eq $rc 2 "exit of a set larger than the file system"
	grep -q "cannot write cache entry: No space left on device" "$T/err" || fail "no ENOSPC message: $(cat "$T/err")"
	grep -q "errors=1 " "$T/err" || fail "ENOSPC not counted"
	[ -z "$leftover" ] || fail "temp file left after ENOSPC: $leftover"
	expect_eq "$got" miss "get of the entry that did not fit"
else
	note "cannot mount a tmpfs here: ENOSPC part skipped"
fi
exit 0
