# Repeated evaluations follow the rule exactly (src/call/repeat.c):
#   settled ⇔ n ≥ min and (n ≥ max or sqrt(s²/n) ≤ rtol·|mean|)
# The noisy cases use min_repetitions = 10: with only 3 draws the sample
# variance is itself too noisy (3 close draws settle a key ~3% of the time,
# as the rule says), and the test checks the mean against the true one.
source "$TOP/tests/lib.sh"

mkdir memo.d
# small_store = no: the entry is read as a file below
printf '[cache]\ndir = %s\nstats = %s\nsmall_store = no\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
cat >memo.d/noisy.conf <<'CONF'
[function noisy_pos]
prototype = double noisy_pos(int key)
allow_repeated_evaluations = yes
rtol_stderr = 0.01
min_repetitions = 10
max_repetitions = 100000

[function noisy_neg]
prototype = double noisy_neg(int key)
allow_repeated_evaluations = yes
rtol_stderr = 0.01
min_repetitions = 10
max_repetitions = 100000

[function noisy_zero]
prototype = double noisy_zero(int key)
allow_repeated_evaluations = yes
rtol_stderr = 0.1
; from 10 draws: with 3, three close draws away from zero can settle a key
min_repetitions = 10
max_repetitions = 25

[function exact]
prototype = int exact(int key)
allow_repeated_evaluations = yes
min_repetitions = 3
CONF
export MEMO_CONFIG="$T/memo.d"
noisy() { under_memo "$P/noisy/noisy" "$@"; }

note "a positive mean settles, then no body runs"
noisy pos 1 2000 >out 2>err || { cat err; fail "noisy pos"; }
n=$(runs noisy_pos)
[ "$n" -ge 10 ] && [ "$n" -lt 2000 ] || fail "noisy_pos ran $n times in 2000 calls: it did not settle"
reset_runs
noisy pos 1 50 >out2 || fail "noisy pos again"
expect_eq "$(runs noisy_pos)" 0 "bodies run after settling"
python3 - "$(cat out2)" <<'PY' || fail "the settled mean is not within 4 standard errors of 10"
import sys
mean = float(sys.argv[1])
# settled means stderr <= 0.01 * |mean|; 4 standard errors leaves ~6e-5 to chance
assert abs(mean - 10.0) <= 4 * 0.01 * 10.0 * 1.05, mean
PY
# the returned value is the running mean the entry holds
python3 "$TOP/tests/entries.py" folder cache | grep -q "count=$n " || fail "the entry's count is not $n"

note "a negative mean settles too (pyDVL compared stderr with the signed mean)"
reset_runs
noisy neg 1 2000 >out 2>err || fail "noisy neg"
n=$(runs noisy_neg)
[ "$n" -ge 10 ] && [ "$n" -lt 2000 ] || fail "noisy_neg ran $n times: a negative mean did not settle"
python3 -c "import sys; m=float(open('out').read()); assert abs(m + 5) <= 4 * 0.01 * 5 * 1.05, m" ||
	fail "negative mean off"

note "a zero mean with noise stops at max_repetitions"
reset_runs
noisy zero 1 200 >out || fail "noisy zero"
expect_eq "$(runs noisy_zero)" 25 "evaluations of a zero-mean noisy function"

note "min_repetitions = 3 gives exactly 3 evaluations without noise"
reset_runs
noisy exact 7 10 >out || fail "exact"
expect_eq "$(runs exact)" 3 "evaluations of a noiseless function"
expect_eq "$(cat out)" 21 "exact's value"
