# single flight when the body is left without returning (flight.c): a
# longjmp or a C++ exception out of the memoized function leaves its caller's
# slot and lease to nobody. The same thread calling the key again, another
# thread after it, and a call after the leaving thread exited, compute or hit
# at once (before: each waited out single_flight_wait_s). The exception
# unwinds through libmemo's frames (the closure, entry.S) to the caller's
# catch. single_flight_wait_s = 20, every run under `timeout 10`; output equal
# to the run without libmemo, in both mechanisms.
source "$TOP/tests/lib.sh"

for mech in inline got; do
	for prog in "flight_escape jump" flight_throw; do
		note "$mech: $prog"
		rm -rf cache stats.jsonl memo.d
		conf_function escape_square 'long escape_square(int x)' single_flight=yes \
			single_flight_wait_s=20 mechanism=$mech
		conf_cache dir="$T/cache" stats="$T/stats.jsonl"
		export MEMO_CONFIG="$T/memo.d"
		MEMO_DISABLE=1 timeout 10 $P/noisy/$prog >plain.out || fail "$prog: plain run"
		reset_runs
		timeout 10 env LD_PRELOAD="$PRELOAD" $P/noisy/$prog >out 2>err
		rc=$?
		[ $rc = 124 ] && fail "$mech: $prog: a call waited for a caller that left (killed by timeout)"
		[ $rc = 0 ] || { cat err; fail "$mech: $prog: the run failed ($rc)"; }
		# the body reads flight_escape, the program's way out: said, and meant
		grep -v "reads writable globals (flight_escape)" err >err.rest
		[ -s err.rest ] && { cat err; fail "$mech: $prog: unexpected messages"; }
		same plain.out out "$mech: $prog"
		# 4: left, computed again, then a hit; 5: left, computed by main
		expect_eq "$(runs escape_square)" 4 "$mech: $prog: bodies run"
		expect_eq "$(stat_sum stats.jsonl escape_square wait_expired)" 0 "$mech: $prog: waits that ran out"
		! ls cache/*/lease1-* 2>/dev/null || fail "$mech: $prog: a lease file is left"
	done
done
