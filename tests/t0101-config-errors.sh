#!/usr/bin/env bash
# Every malformed config is refused with exactly the lines expected: for each
# tests/data/config/errors/NAME.conf (a file) or NAME.d (a folder), libmemo's
# stderr must equal NAME.err byte for byte (file:line[:col] and message), the
# count printed must match, and nothing may be kept. Also: a missing path, an
# unreadable file. A NUL byte anywhere in a line (nul-byte.conf, made here).
source "$TOP/tests/lib.sh"

D="$TOP/tests/data/config/errors"
cp -r "$D"/. .
# A NUL byte is an error wherever it is (inih would cut the line there); the
# file is written here, so that every file under data/ stays text.
printf '[cache]\nnamespace = a\0b\n; a comment\0\n[function f]\nprototype = double f(int x)\0 garbage\n' \
	>nul-byte.conf

n=0
for input in *.conf *.d; do
	base=${input%.conf}
	base=${base%.d}
	[ -f "$D/$base.err" ] || fail "$input: no $base.err"
	rc=0
	"$P/unit/config_check" "$input" >out 2>err || rc=$?
	[ $rc = 1 ] || { cat err out >&2; fail "$input: exit $rc, expected 1"; }
	same "$D/$base.err" err "$input"
	count=$(wc -l <err)
	expect_eq "$(cat out)" "$count error$([ "$count" -gt 1 ] && echo s)" "$input: error count"
	n=$((n + 1))
done
for e in "$D"/*.err; do
	base=$(basename "$e" .err)
	[ -e "$base.conf" ] || [ -e "$base.d" ] || fail "$e: no input"
done
[ $n -ge 30 ] || fail "only $n error cases"
note "$n malformed configs refused as expected"

# A path that does not exist.
"$P/unit/config_check" no/such.conf >out 2>err && fail "a missing path loaded"
echo "libmemo: error: 'no/such.conf': no such file or folder" >want
same want err "missing path"

# A file that cannot be read (root reads anything: then there is nothing to test).
if [ "$(id -u)" != 0 ]; then
	printf '[cache]\n' >locked.conf
	chmod 000 locked.conf
	"$P/unit/config_check" locked.conf >out 2>err && fail "an unreadable file loaded"
	echo "libmemo: error: 'locked.conf': cannot read: Permission denied" >want
	same want err "unreadable file"
fi
exit 0
