# single flight and pthread_cancel (flight.c, call.c): a thread cancelled
# while it waits for another thread's computation of its key leaves no lock
# held (before: the table's mutex stayed locked and the process deadlocked at
# the next call), and is cancelled at the program's next cancellation point,
# as after a hit; a thread cancelled inside the body leaves no slot or lease
# behind, so the next caller of its key does not wait for it. Output equal
# to the run without libmemo; single_flight_wait_s = 20 and every run under
# libmemo bounded by `timeout 10`, so a deadlock or a wait for a dead holder fails, never hangs.
source "$TOP/tests/lib.sh"

conf_function gated_square 'long gated_square(int x)' single_flight=yes single_flight_wait_s=20
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d" FLIGHT_GATE="$T/gate"

touch gate
MEMO_DISABLE=1 timeout 60 "$P/noisy/flight_escape" cancel >plain.out || fail "plain run"
expect_eq "$(runs gated_square)" 5 "bodies run without libmemo"
reset_runs

touch gate
timeout 10 env LD_PRELOAD="$PRELOAD" "$P/noisy/flight_escape" cancel >out 2>err
rc=$?
[ $rc = 124 ] && fail "deadlock or a wait for a cancelled caller (killed by timeout)"
[ $rc = 0 ] || { cat err; fail "the run failed ($rc)"; }
# the body reads flight_gated_entered, the program's probe: said, and meant
grep -v "reads writable globals (flight_gated_entered)" err >err.rest
[ -s err.rest ] && { cat err; fail "unexpected messages"; }
same plain.out out "under libmemo"
# 7: A's body (B waited and hit, main hit); 8: C's body (cancelled), main's
expect_eq "$(runs gated_square)" 3 "bodies run under libmemo"
expect_eq "$(stat_sum stats.jsonl gated_square wait_expired)" 0 "waits that ran out"
! ls cache/*/lease1-* 2>/dev/null || fail "a lease file is left"
