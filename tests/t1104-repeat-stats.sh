# Convergence stats count keys, not calls: in one process, noisy_pos(1)
# converges (stderr rule), noisy_zero(2) stops at max_repetitions, noisy_pos(3)
# is called once and stays open — in the JSON line and the table on stderr.
# A second process that only reads settled keys sees them settled too.
source "$TOP/tests/lib.sh"

mkdir memo.d
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
cat >memo.d/noisy.conf <<'CONF'
[function noisy_pos]
prototype = double noisy_pos(int key)
allow_repeated_evaluations = yes
rtol_stderr = 0.01
min_repetitions = 3
max_repetitions = 100000

[function noisy_zero]
prototype = double noisy_zero(int key)
allow_repeated_evaluations = yes
rtol_stderr = 0.1
; from 10 draws: with 3, three close draws away from zero can settle a key
min_repetitions = 10
max_repetitions = 25
CONF
export MEMO_CONFIG="$T/memo.d"

under_memo "$P/noisy/noisy_mix" >out 2>err || { cat err; fail "noisy_mix"; }
pos=$(runs noisy_pos)
[ "$pos" -lt 2001 ] || fail "noisy_pos(1) did not converge in 2000 calls"
expect_eq "$(runs noisy_zero)" 25 "noisy_zero(2) evaluations"
for f in converged capped open; do
	eval "p_$f=\$(stat_of stats.jsonl noisy_pos $f) z_$f=\$(stat_of stats.jsonl noisy_zero $f)"
done
expect_eq "$p_converged $p_capped $p_open" "1 0 1" "noisy_pos keys converged, capped, open"
expect_eq "$z_converged $z_capped $z_open" "0 1 0" "noisy_zero keys converged, capped, open"
expect_eq "$(stat_of stats.jsonl noisy_pos calls)" 2001 "noisy_pos calls"
expect_eq "$(stat_of stats.jsonl noisy_pos evaluations)" "$pos" "noisy_pos evaluations"

note "the table on stderr"
MEMO_STATS=stderr under_memo "$P/noisy/noisy_mix" >out2 2>err2 || { cat err2; fail "noisy_mix again"; }
cat err2
grep -Eq '^  symbol \(keys, waits\) +converged +capped +open +waited +wait expired$' err2 ||
	fail "no convergence header in the table"
# noisy_pos(3) has now 2 evaluations: still open; the others are read settled
grep -Eq '^  noisy_pos +1 +0 +1 +0 +0$' err2 || fail "noisy_pos row"
grep -Eq '^  noisy_zero +0 +1 +0 +0 +0$' err2 || fail "noisy_zero row"
