#!/usr/bin/env bash
# t1301: verify = FRACTION recomputes that share of hits. scaled() and fill()
# read a global set from $IMPURE_SCALE (tests/progs/explain/impure.c): with
# verify = 1, a run with another value reports each stale hit (symbol, key,
# both values), counts it as impure, prints the fresh (correct) result and
# replaces the entry, so the next run finds them equal. Without verify, the
# same run prints stale results: what verify is for. verify = 0.5 recomputes
# some hits and not others.
source "$TOP/tests/lib.sh"

bin="$P/explain/impure"
mkdir memo.d
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
cat >memo.d/impure.conf <<'CONF'
[function scaled]
prototype = long scaled(long x)
verify = 1

[function fill]
prototype = void fill(out double out[n], int n, int seed)
verify = 1

[function weighted]
prototype = double weighted(const double w[n], const double x[n], size_t n)
CONF
export MEMO_CONFIG="$T/memo.d"

# run SCALE ARGS...: under libmemo, output checked against the plain run
run() {
	local scale=$1
	shift
	IMPURE_SCALE=$scale MEMO_DISABLE=1 "$bin" "$@" >plain.out || fail "plain run failed"
	rm -f stats.jsonl
	IMPURE_SCALE=$scale under_memo "$bin" "$@" >out 2>err || { cat err >&2; fail "run failed"; }
}

run 1 3 4
same plain.out out "first run"
grep 'not pure' err && fail "first run: nothing was cached to verify"

run 2 3 4
same plain.out out "verified run: the fresh results are printed"
expect_eq "$(stat_of stats.jsonl scaled impure)" 2 "scaled impure"
expect_eq "$(stat_of stats.jsonl fill impure)" 2 "fill impure"
expect_eq "$(stat_of stats.jsonl scaled hits)" 0 "scaled hits"
expect_eq "$(stat_of stats.jsonl weighted impure)" 0 "weighted (pure, not verified) impure"
key='m1-[0-9a-f]\{64\}'
grep -q "^libmemo: warning: 'scaled' is not pure: recomputing a hit (key $key) returned 3 when cached, 6 now; the fresh result is returned and replaces the entry$" err ||
	{ cat err >&2; fail "no report of scaled(3)"; }
grep -q "^libmemo: warning: 'scaled' is not pure: recomputing a hit (key $key) returned 4 when cached, 8 now;" err ||
	fail "no report of scaled(4)"
grep -q "^libmemo: warning: 'fill' is not pure: recomputing a hit (key $key) 'out' differs from byte 14 on: element \[1\] was 4 when cached, 5 now;" err ||
	{ cat err >&2; fail "no report of fill's buffer"; }

# The entries now hold the fresh results: verified again, they agree.
run 2 3 4
same plain.out out "second verified run"
grep 'not pure' err && fail "entries were not replaced by the fresh results"
expect_eq "$(stat_of stats.jsonl scaled impure)" 0 "scaled impure after the replacement"
expect_eq "$(stat_of stats.jsonl scaled hits)" 2 "scaled verified hits"
expect_eq "$(stat_of stats.jsonl scaled evaluations)" 2 "scaled recomputed"

# Without verify the cache serves what the function no longer computes.
sed -i 's/^verify = 1$/verify = 0/' memo.d/impure.conf
run 3 3 4
cmp -s plain.out out && fail "without verify, an impure function's stale results were not served"
expect_eq "$(stat_of stats.jsonl scaled hits)" 2 "scaled hits without verify"

# verify = 0.5: some of 200 stale hits are caught, not all (the chance of
# either extreme is 2^-200).
sed -i 's/^verify = 0$/verify = 0.5/' memo.d/impure.conf
args=$(seq 100 299)
run 1 $args
run 4 $args
impure=$(stat_of stats.jsonl scaled impure)
hits=$(stat_of stats.jsonl scaled hits)
[ "$impure" -gt 0 ] && [ "$impure" -lt 200 ] || fail "verify = 0.5 caught $impure of 200"
expect_eq "$((impure + hits))" 200 "impure + hits with verify = 0.5"
