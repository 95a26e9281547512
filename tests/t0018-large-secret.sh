# With secret_file, a large value's MAC covers every byte of it through the
# payload's tree root: tests/forge.py, which computes the tree on its own,
# verifies the entry libmemo wrote; a byte flipped in the middle under the
# old MAC, or resealed by a writer without the secret, is rejected and
# recomputed; resealed with the secret, it is served as written.
source "$TOP/tests/lib.sh"
FORGE="$TOP/tests/forge.py"

N=2000000	# doubles: 16 MB, 61 leaves
head -c 32 /dev/urandom >"$T/secret"
head -c 32 /dev/urandom >"$T/wrong"
chmod 600 "$T/secret" "$T/wrong"
conf_cache dir="$T/cache" stats="$T/stats.jsonl" secret_file="$T/secret"
conf_function big 'void big(inout double a[n], size_t n)' time_threshold=0
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/big/big" $N >plain.out || fail "plain run"
reset_runs
under_memo "$P/big/big" $N >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run (miss)"
expect_eq "$(runs big)" 1 "the first run computes"
entry=$(ls "$T"/cache/*/m1-*)
key=${entry##*/}
expect_eq "$("$FORGE" verify "folder:$T/cache" --secret "$T/secret")" "$key ok" \
	"the MAC, over the tree root forge.py computes"
expect_eq "$("$FORGE" verify "folder:$T/cache")" "$key bad" "a plain checksum does not verify"
cp "$entry" good.entry

# rejected WHAT: the next run rejects the entry, computes and says so
rejected() {
	reset_runs
	under_memo "$P/big/big" $N >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1 run"; }
	same plain.out "$1.out" "$1"
	expect_eq "$(runs big)" 1 "$1: the call computes"
	grep -q "'big': rejected a cached value (check failed); recomputing" "$1.err" ||
		{ cat "$1.err"; fail "$1: not said on stderr"; }
	cp good.entry "$entry"
}

python3 - "$entry" <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(os.path.getsize(sys.argv[1]) // 2)
    b = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([b[0] ^ 1]))
PY
rejected "a byte flipped under the old MAC"
expect_eq "$("$FORGE" rewrite "folder:$T/cache" xor)" 1 "resealed with a plain checksum"
rejected "resealed without the secret"
expect_eq "$("$FORGE" rewrite "folder:$T/cache" xor --secret "$T/wrong")" 1 "resealed with another secret"
rejected "resealed with another secret"

# whoever has the secret writes what is served: the MAC is the whole check
expect_eq "$("$FORGE" rewrite "folder:$T/cache" xor --secret "$T/secret")" 1 "resealed with the secret"
reset_runs
under_memo "$P/big/big" $N >forged.out 2>forged.err || fail "forged run"
expect_eq "$(runs big)" 0 "a value sealed with the secret is served"
cmp -s plain.out forged.out && fail "the forged value was not the one served"
true
