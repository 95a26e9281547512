# A large value (a 72 MB inout array, its check over the payload's BLAKE2b
# tree) is never served corrupt or cut: a byte flipped in the middle of the
# entry file, then the file truncated, each makes the next call compute,
# say so on stderr, count a rejection, and print what the plain run prints.
source "$TOP/tests/lib.sh"

N=9000000	# doubles: 72 MB
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function big 'void big(inout double a[n], size_t n)' time_threshold=0
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/big/big" $N >plain.out || fail "plain run"
reset_runs
under_memo "$P/big/big" $N >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run (miss)"
expect_eq "$(runs big)" 1 "the first run computes"
reset_runs
under_memo "$P/big/big" $N >hit.out 2>hit.err || { cat hit.err; fail "hit run"; }
same plain.out hit.out "second run (hit)"
expect_eq "$(runs big)" 0 "the second run is served"
entry=$(ls "$T"/cache/*/m1-*)
[ "$(stat -c %s "$entry")" -gt $((N * 8)) ] || fail "the entry holds the 72 MB array"

# run WHAT VERDICT: a run that must reject the entry with VERDICT, compute,
# and store it again
run() {
	reset_runs
	under_memo "$P/big/big" $N >"$1.out" 2>"$1.err" || { cat "$1.err"; fail "$1 run"; }
	same plain.out "$1.out" "$1"
	expect_eq "$(runs big)" 1 "$1: the call computes"
	grep -q "'big': rejected a cached value ($2); recomputing" "$1.err" ||
		{ cat "$1.err"; fail "$1: not said on stderr"; }
	expect_eq "$(stat_of "$T/stats.jsonl" big rejected)" 1 "$1: counted as rejected"
	expect_eq "$(stat_of "$T/stats.jsonl" big sets)" 1 "$1: stored again"
}

python3 - "$entry" <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(os.path.getsize(sys.argv[1]) // 2)
    b = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([b[0] ^ 0x10]))
PY
run flipped "check failed"

truncate -s $(($(stat -c %s "$entry") / 2)) "$entry"
run truncated "bad length"

# cut by its last byte: the tag's, past the last part
truncate -s -1 "$entry"
run cut "bad length"

reset_runs
under_memo "$P/big/big" $N >again.out 2>again.err || fail "last run"
same plain.out again.out "the entry stored again"
expect_eq "$(runs big)" 0 "the entry stored again is served"
