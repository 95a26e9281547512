# single flight when the body is left without returning (flight.c): a
# longjmp or a C++ exception out of the memoized function leaves its caller's
# slot and lease to nobody. The same thread calling the key again, another
# thread after it, and a call after the leaving thread exited, compute or hit
# at once (before: each waited out single_flight_wait_s). The exception
# unwinds through libmemo's frames (the closure, entry.S) to the caller's
# catch. single_flight_wait_s = 20, every run under `timeout 10`; output equal
# to the run without libmemo, in both mechanisms, with the lease in the
# folder store (where no lease file may be left) or in a real memcached.
source "$TOP/tests/lib.sh"

check() {	# check MECH STORE PROG...
	local mech=$1 store=$2 what="$1, $2: ${*:3}"
	shift 2
	note "$what"
	rm -rf cache stats.jsonl memo.d
	conf_function escape_square 'long escape_square(int x)' single_flight=yes \
		single_flight_wait_s=20 mechanism=$mech
	if [ $store = folder ]; then
		conf_cache dir="$T/cache" stats="$T/stats.jsonl"
	else
		start_memcached		# a fresh one: nothing cached by the last check
		conf_cache dir=off servers=127.0.0.1:$MC_PORT timeout_ms=2000 stats="$T/stats.jsonl"
	fi
	export MEMO_CONFIG="$T/memo.d"
	MEMO_DISABLE=1 timeout 10 "$P/noisy/$1" "${@:2}" >plain.out || fail "$what: plain run"
	reset_runs
	timeout 10 env LD_PRELOAD="$PRELOAD" "$P/noisy/$1" "${@:2}" >out 2>err
	rc=$?
	[ $rc = 124 ] && fail "$what: a call waited for a caller that left (killed by timeout)"
	[ $rc = 0 ] || { cat err; fail "$what: the run failed ($rc)"; }
	# the body reads flight_escape, the program's way out: said, and meant
	grep -v "reads writable globals (flight_escape)" err >err.rest
	[ -s err.rest ] && { cat err; fail "$what: unexpected messages"; }
	same plain.out out "$what"
	# 4: left, computed again, then a hit; 5: left, computed by main
	expect_eq "$(runs escape_square)" 4 "$what: bodies run"
	expect_eq "$(stat_sum stats.jsonl escape_square wait_expired)" 0 "$what: waits that ran out"
	# a lease left in the folder (on memcached it would expire by its TTL,
	# which the bounded run already rules out waiting for)
	if [ "$store" = folder ]; then
		! ls cache/*/lease1-* 2>/dev/null || fail "$what: a lease file is left"
	fi
}

check inline folder flight_escape jump
check inline folder flight_throw
check got folder flight_escape jump
check got folder flight_throw
check inline memcached flight_escape jump
check inline memcached flight_throw
