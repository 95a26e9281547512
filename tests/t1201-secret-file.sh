#!/usr/bin/env bash
# Owns: secret_file (src/store/secret.c) as a user meets it, with a real program
# under LD_PRELOAD: a usable secret seals every entry with a keyed MAC and
# hits as before; a file others could read or write, someone else's file, a
# folder, an empty or missing file are refused with the file named, and the
# program runs unmemoized with the right output (MEMO_STRICT=1: exit 2).
source "$TOP/tests/lib.sh"
FORGE="$TOP/tests/forge.py"

mkdir memo.d
cp "$TOP/tests/progs/shapes/memo.d/dot.conf" memo.d/
# small_store = no: forge.py reads and rewrites the entries as files
printf '[cache]\ndir = %s\nstats = %s\nsecret_file = secret\nsmall_store = no\n' "$T/cache" "$T/stats.jsonl" \
	>memo.d/cache.conf	# relative: next to the config file
export MEMO_CONFIG="$T/memo.d"
S="$T/memo.d/secret"
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"
reset_runs; MEMO_DISABLE=1 "$bin" 1 >/dev/null; plain_runs=$(runs dot)

# refused WHY-REGEX: the secret is refused, the program runs unmemoized.
refused() {
	rm -rf cache
	reset_runs
	under_memo "$bin" 1 >out 2>err || fail "refused ($1): exit $?"
	same plain.out out "refused ($1)"
	grep -q "^libmemo: error: '$S': $1" err || fail "no message matching '$1': $(cat err)"
	grep -q "running unmemoized" err || fail "refused ($1): not said to run unmemoized"
	expect_eq "$(runs dot)" "$plain_runs" "refused ($1): every call ran"
	[ ! -e cache ] || fail "refused ($1): a store was opened"
	MEMO_STRICT=1 under_memo "$bin" 1 >out 2>err
	expect_eq "$?" 2 "refused ($1) under MEMO_STRICT: exit status"
	[ ! -s out ] || fail "refused ($1) under MEMO_STRICT: the program ran"
}

note "refusals"
refused "cannot open the secret file: No such file or directory"
mkdir "$S"
refused "the secret file is not a regular file"
rmdir "$S"
head -c 32 /dev/urandom >"$S"
for mode in 644 640 604 620 602 660; do
	chmod $mode "$S"
	refused "the secret file is open to group or others (mode $mode); not using it (chmod 600)"
done
chmod 600 "$S"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$S"
	refused "the secret file belongs to uid $(id -u nobody), not to this user (uid 0)"
	chown 0 "$S"
else
	note "not root: the foreign-owner case is not run"
fi
: >"$S"
refused "the secret file is empty"
printf '\n' >"$S"
refused "the secret file is empty"

note "a good secret: every entry sealed with the MAC, hits as before"
head -c 32 /dev/urandom >"$S"
chmod 400 "$S"	# read-only for its owner is fine
rm -rf cache
reset_runs
under_memo "$bin" 1 >first.out 2>first.err || fail "first run"
same plain.out first.out "first run"
[ -s first.err ] && fail "first run complained: $(cat first.err)"
python3 "$FORGE" verify "folder:$T/cache" --secret "$S" >v.mac
python3 "$FORGE" verify "folder:$T/cache" >v.plain
expect_eq "$(grep -c ' ok$' v.mac)/$(grep -c ' bad$' v.plain)" 2/2 "entries sealed with the MAC"
reset_runs
under_memo "$bin" 1 >second.out 2>&1 || fail "second run"
same plain.out second.out "second run"
expect_eq "$(runs dot)/$(stat_of stats.jsonl dot hits)" 0/2 "second run: runs/hits"

note "one trailing line end is not part of the secret; a symbolic link is followed"
chmod 600 "$S"
printf 'correct horse battery staple 42' >"$S"
rm -rf cache
under_memo "$bin" 1 >/dev/null 2>&1 || fail "run with a text secret"
printf 'correct horse battery staple 42\n' >"$T/real-secret"
chmod 600 "$T/real-secret"
rm "$S" && ln -s "$T/real-secret" "$S"
reset_runs
under_memo "$bin" 1 >out 2>err || fail "run with the linked secret"
same plain.out out "linked secret"
expect_eq "$(runs dot)/$(stat_of stats.jsonl dot rejected)" 0/0 "same secret with a newline: hits"

note "another secret: the entries are rejected, recomputed, overwritten"
printf 'another secret of thirty-one by' >"$T/real-secret"
reset_runs
under_memo "$bin" 1 >out 2>err || fail "run with another secret"
same plain.out out "another secret"
expect_eq "$(runs dot)/$(stat_of stats.jsonl dot rejected)" 2/2 "another secret: runs/rejected"

note "a short secret works, with a warning"
printf 'short' >"$T/real-secret"
under_memo "$bin" 1 >out 2>err || fail "run with a short secret"
same plain.out out "short secret"
grep -q "^libmemo: warning: '$S': the secret has only 5 bytes" err || fail "no warning: $(cat err)"
