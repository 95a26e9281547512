# The cache folder cannot be used (a file stands where the folder should be,
# or the disk is full): the program prints exactly what it prints without
# libmemo, and libmemo says what happened.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/*.conf memo.d/
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"

note "a file where the cache folder should be"
echo "not a folder" >blocker
printf '[cache]\ndir = %s/blocker/cache\nstats = %s\n' "$T" "$T/stats.jsonl" >memo.d/cache.conf
MEMO_CONFIG="$T/memo.d" under_memo "$bin" 1 >out 2>err || { cat err; fail "run failed"; }
same plain.out out "unusable folder"
grep -q "libmemo: .*blocker/cache" err || { cat err; fail "stderr does not name the folder"; }

note "a full disk"
mkdir full
if mount -t tmpfs -o size=8k tmpfs full 2>/dev/null; then
	dd if=/dev/zero of=full/filler bs=1k count=8 2>/dev/null
	printf '[cache]\ndir = %s/full/cache\nstats = %s\n' "$T" "$T/stats.jsonl" >memo.d/cache.conf
	MEMO_CONFIG="$T/memo.d" under_memo "$bin" 1 >out 2>err
	rc=$?
	umount full
	[ $rc = 0 ] || { cat err; fail "run on a full disk failed"; }
	same plain.out out "full disk"
	grep -q "libmemo: " err || fail "stderr says nothing about the full disk"
else
	note "cannot mount a tmpfs here; full-disk case not run"
fi
