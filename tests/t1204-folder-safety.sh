#!/usr/bin/env bash
# Owns: the folder store's safety as a user meets it (src/store/store_folder.c),
# with a real program under LD_PRELOAD: what libmemo creates is private
# (folders 0700, entries 0600, whatever the umask); an entry replaced by a
# symbolic link is never followed (even to a value that would verify); a
# cache folder owned by another user or writable by group or others is
# refused. Each time the program prints its plain output and stderr says why.
source "$TOP/tests/lib.sh"
FORGE="$TOP/tests/forge.py"

mkdir memo.d
cp "$TOP/tests/progs/trust/memo.d/big_fill.conf" memo.d/
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
run() {
	local name=$1
	reset_runs
	under_memo "$P/trust/trust" 4 5000 >"$name.out" 2>"$name.err" ||
		{ cat "$name.err"; fail "$name: exit $?"; }
	same plain.out "$name.out" "$name"
}
st() { stat_of "$T/stats.jsonl" big_fill "$1"; }
MEMO_DISABLE=1 "$P/trust/trust" 4 5000 >plain.out || fail "plain run"

note "private by construction, even under umask 000"
(umask 000 && run first) || exit 1
entry=$(find cache -name 'm1-*')
[ -n "$entry" ] || fail "no entry written"
expect_eq "$(stat -c %a cache "$(dirname "$entry")" "$entry" | tr '\n' ' ')" "700 700 600 " \
	"modes of the folder, its bucket and the entry"

note "an entry replaced by a symbolic link is not followed"
python3 "$FORGE" rewrite "folder:$T/cache" xor >/dev/null || fail "forge"	# verifies: no secret
mv "$entry" planted
ln -s "$T/planted" "$entry"
cp planted planted.orig
run link
grep -q "^libmemo: warning: '$T/$entry': entry is a symbolic link, ignored" link.err ||
	fail "nothing said: $(cat link.err)"
expect_eq "$(runs big_fill)/$(st hits)" 1/0 "link: runs/hits"
[ "$(st errors)" -ge 1 ] || fail "link: no error counted"
[ -f "$entry" ] && [ ! -L "$entry" ] || fail "the recomputed entry did not replace the link"
cmp -s planted planted.orig || fail "the link's target was written through"
run healed
expect_eq "$(runs big_fill)/$(st hits)" 0/1 "after the link was replaced: runs/hits"

# refused WHY: the folder store refuses the folder; the program runs unmemoized.
refused() {
	run refused
	grep -q "^libmemo: error: '$T/cache': $1" refused.err || fail "nothing said ($1): $(cat refused.err)"
	grep -q "no cache could be opened; calls run unmemoized" refused.err ||
		fail "($1): not said to run unmemoized"
	expect_eq "$(runs big_fill)" 1 "($1): the body ran"
}

for mode in 770 720 707 702 777; do
	note "a folder writable by others (mode $mode) is refused"
	chmod $mode cache
	refused "the cache folder is writable by group or others (mode $mode); not using it (chmod go-w)"
done
chmod 750 cache
run readable_by_group
expect_eq "$(runs big_fill)/$(st hits)" 0/1 "a group-readable folder is used"
chmod 700 cache

if [ "$(id -u)" = 0 ]; then
	note "a folder owned by another user is refused"
	chown nobody cache
	refused "the cache folder belongs to uid $(id -u nobody), not to this user (uid 0); not using it"
	chown 0 cache
	run mine_again
	expect_eq "$(runs big_fill)/$(st hits)" 0/1 "the folder is used again once it is ours"
else
	note "not root: the foreign-owner case is not run"
fi
