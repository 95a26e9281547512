#!/usr/bin/env bash
# Owns: memo export and memo import (a cache shared as one archive). Entries
# exported from one folder and imported into a second folder, or into
# memcached alone, are then all hits, the output as without libmemo. Under a
# secret_file, an archive made by a writer without the secret (entries
# resealed with a plain checksum, or a MAC under another secret) imports
# nothing, and neither does one tampered with; a cut archive is refused, and
# so is one of another key format (a build before key format 2 wrote no
# `keys` line), whose entries no lookup of this build would find.
source "$TOP/tests/lib.sh"
app="$P/inline/app"
FORGE="$TOP/tests/forge.py"
args=(3 1 4 1 5 9 2 6)	# 7 distinct
MEMO_DISABLE=1 "$app" "${args[@]}" >plain.out || fail "app without libmemo"

# cfg NAME [KEY = VALUE...]: NAME/ with simulate's config and [cache] lines
cfg() {
	local d=$1
	shift
	mkdir -p "$d"
	printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >"$d/simulate.conf"
	printf '[cache]\nstats = %s\n' "$T/$d.jsonl" >"$d/cache.conf"
	printf '%s\n' "$@" >>"$d/cache.conf"
}
# served NAME: the app under config NAME computes nothing: every call a hit
served() {
	reset_runs
	"$B/memo" run -c "$1" -- "$app" "${args[@]}" >out 2>err || { cat err; fail "memo run -c $1"; }
	same plain.out out "memo run -c $1"
	expect_eq "$(runs simulate)" 0 "body runs under $1"
	expect_eq "$(stat_of "$1.jsonl" simulate hits)" 8 "hits under $1"
}

cfg a "dir = $T/a-cache"
"$B/memo" run -c a -- "$app" "${args[@]}" >out 2>err || { cat err; fail "filling a"; }
"$B/memo" export -c a all.arch >out 2>err || { cat err; fail "memo export"; }
grep -qx "exported 7 entries to 'all.arch'" out || { cat out; fail "memo export: not said"; }
"$B/memo" export -c a simulate one.arch >out 2>err || { cat err; fail "memo export simulate"; }
cmp -s <(sort all.arch) <(sort one.arch) || fail "the archive of simulate differs from all"
"$B/memo" export -c a simulat x.arch >out 2>err && fail "a misspelled symbol was exported"
grep -q "did you mean 'simulate'" err || { cat err; fail "no did-you-mean"; }
[ ! -e x.arch ] || fail "an archive was written for a misspelled symbol"

note "into a second folder"
cfg b "dir = $T/b-cache"
"$B/memo" import -c b all.arch >out 2>err || { cat out err; fail "memo import into a folder"; }
grep -qx "imported 7 entries from 'all.arch'" out || { cat out; fail "memo import: not said"; }
served b

note "into memcached alone"
if command -v memcached >/dev/null; then
	start_memcached
	cfg c "dir = off" "servers = 127.0.0.1:$MC_PORT"
	"$B/memo" import -c c all.arch >out 2>err || { cat out err; fail "memo import into memcached"; }
	grep -qx "imported 7 entries from 'all.arch'" out || { cat out; fail "memo import: not said"; }
	served c
else
	note "memcached is not installed: the import into it is not tested"
fi

note "under a secret: a genuine archive imports, a forged one does not"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >secret.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >wrong.key
chmod 600 secret.key wrong.key
# small_store = no: forge.py rewrites the entries as files
cfg s "dir = $T/s-cache" "secret_file = $T/secret.key" "small_store = no"
"$B/memo" run -c s -- "$app" "${args[@]}" >out 2>err || { cat err; fail "filling s"; }
"$B/memo" export -c s sealed.arch >out 2>err || { cat err; fail "memo export under a secret"; }
cfg s2 "dir = $T/s2-cache" "secret_file = $T/secret.key"
"$B/memo" import -c s2 sealed.arch >out 2>err || { cat out err; fail "memo import under a secret"; }
served s2

# an archive of the entries resealed by a writer without the secret
pack() {	# pack FOLDER ARCHIVE: the folder's entries, in the archive format
	python3 - "$1" "$2" all.arch <<'PY'
import glob, os, sys
files = [f for f in glob.glob(sys.argv[1] + "/*/m1-*")]
with open(sys.argv[2], "wb") as out:
    with open(sys.argv[3], "rb") as real:      # its first two lines: the header
        out.write(real.readline() + real.readline())
    for f in files:
        data = open(f, "rb").read()
        out.write(b"entry %s %d\n" % (os.path.basename(f).encode(), len(data)) + data + b"\n")
    out.write(b"end %d\n" % len(files))
PY
}
for how in plain wrong; do
	rm -rf forged-cache && cp -r s-cache forged-cache
	if [ $how = plain ]; then secret=(); else secret=(--secret wrong.key); fi
	python3 "$FORGE" rewrite folder:forged-cache double:42 "${secret[@]}" >forge.out 2>&1 ||
		{ cat forge.out; fail "forge.py rewrite"; }
	pack forged-cache forged.arch
	cfg s3 "dir = $T/s3-cache" "secret_file = $T/secret.key"
	"$B/memo" import -c s3 forged.arch >out 2>err && fail "a forged archive ($how) was imported"
	grep -q "^imported 0 entries from 'forged.arch'; refused 7 that did not verify under the secret" out ||
		{ cat out err; fail "forged ($how): not said"; }
	[ -z "$(find s3-cache -name 'm1-*' 2>/dev/null)" ] || fail "forged ($how): entries were written"
done
note "an archive tampered with, and an archive of plain checksums, under the secret"
python3 - sealed.arch tampered.arch <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[-20] ^= 0x5a          # a byte of the last entry's value
open(sys.argv[2], "wb").write(data)
PY
"$B/memo" import -c s3 tampered.arch >out 2>err && fail "a tampered archive succeeded"
grep -q "^imported 6 entries.*; refused 1 that did not verify" out || { cat out; fail "tampered: not said"; }
"$B/memo" import -c s3 all.arch >out 2>err && fail "an archive without MACs was imported under a secret"
grep -q "^imported 0 entries from 'all.arch'; refused 7" out || { cat out; fail "plain archive: not said"; }

note "an archive of key format 1, as builds before key format 2 wrote it"
head -n 2 all.arch | grep -qx 'keys [0-9]*' || fail "the archive does not say its key format"
python3 - all.arch old.arch <<'PY'
import sys
with open(sys.argv[1], "rb") as f:
    head, keys, rest = f.readline(), f.readline(), f.read()
open(sys.argv[2], "wb").write(head + rest)
PY
cfg o "dir = $T/o-cache"
"$B/memo" import -c o old.arch >out 2>err && fail "an archive of key format 1 was imported"
grep -q "^memo: 'old.arch': its entries' keys are of format 1, this build's of format [0-9]* (libmemo was upgraded)" err ||
	{ cat err; fail "key format 1: not said"; }
grep -qx "imported 0 entries from 'old.arch'" out || { cat out; fail "key format 1: a count"; }
[ -z "$(find o-cache -name 'm1-*' 2>/dev/null)" ] || fail "key format 1: entries were written"

note "a cut archive"
head -c 300 all.arch >cut.arch
"$B/memo" import -c b cut.arch >out 2>err && fail "a cut archive succeeded"
grep -q "memo: 'cut.arch': cut at byte" err || { cat err; fail "a cut archive: not said"; }
exit 0
