#!/usr/bin/env bash
# Owns: a memcached reply's announced value length is checked before anything
# is allocated for it (store_memcached.c). A stand-in server
# (tests/progs/mc/mcbogus.py) answers every get with `VALUE <key> 0 LENGTH`
# and no value: -1 (libmemcached's size_t arithmetic wraps it to SIZE_MAX,
# which reached malloc), -2 (wrapped to a buffer of 0 bytes, then written
# before its start: a crash inside libmemcached; mc_io.c refuses the line
# before libmemcached reads it), -1's unsigned spelling, 4 GiB, and one byte
# over the 1 GiB no memcached can exceed. Each is an error, counted, never a
# timeout spent reading it; every call computes; the output is the
# unmemoized run's.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/mc_slow.conf memo.d/
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
K=3

MEMO_DISABLE=1 "$bin" $K >plain.out || fail "plain run"
for length in -1 -2 18446744073709551615 4294967296 1073741825; do
	pf="$T/bogus.port.$length"
	python3 "$TOP/tests/progs/mc/mcbogus.py" "$pf" "$length" &
	pid=$!
	_pids+=("$pid")
	for i in $(seq 1 200); do
		[ -s "$pf" ] && break
		kill -0 "$pid" 2>/dev/null || fail "mcbogus.py did not start"
		sleep 0.02
	done
	[ -s "$pf" ] || fail "mcbogus.py did not report its port"
	# timeout_ms as long as a test allows: reading a value until it expires
	# would show, as timeouts.
	printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\ntimeout_ms = 2000\nstats = %s\n' \
		"$(cat "$pf")" "$T/stats.$length.jsonl" >memo.d/cache.conf
	reset_runs
	rc=0
	timeout 60 env LD_PRELOAD="$PRELOAD" "$bin" $K >"run.$length.out" 2>"run.$length.err" || rc=$?
	[ $rc = 0 ] || { cat "run.$length.err" >&2; fail "VALUE of $length: exit $rc"; }
	same plain.out "run.$length.out" "VALUE of $length"
	expect_eq "$(runs mc_slow)" $K "VALUE of $length: bodies run"
	expect_eq "$(stat_of "stats.$length.jsonl" mc_slow hits)" 0 "VALUE of $length: hits"
	expect_eq "$(stat_of "stats.$length.jsonl" mc_slow timeouts)" 0 "VALUE of $length: timeouts"
	[ "$(stat_of "stats.$length.jsonl" mc_slow errors)" -ge 1 ] ||
		fail "VALUE of $length: no error counted"
	stop_pid "$pid"
done
exit 0
