#!/usr/bin/env bash
# Owns: single flight's lease inside a signal handler (memcached): a call
# that missed holds the lease, and drops it without a result when the body
# ran under time_threshold (src/store/store_memcached.c mc_lease_is: the
# lease read into the thread's result buffer, not into a block of
# memcached_get's), or deletes it after its result is stored.
# tests/progs/handler/grow.c, whose own malloc and kin abort inside its
# handler, as in t0814. With time_threshold = 3600 the old build aborted in
# every run (memcached_get_by_key allocates the lease's value). Each run's
# output is the one without libmemo, and nothing is said; no result is
# stored under the threshold, and every one is with 0.
source "$TOP/tests/lib.sh"
command -v memcached >/dev/null || skip "no memcached"

G=$P/handler/grow
start_memcached
export MEMO_CONFIG="$T/memo.d"
for threshold in 3600 0; do
	conf_function fill 'void fill(long n, long seed, out double a[n])' mechanism=inline \
		single_flight=yes time_threshold=$threshold
	# timeout_ms: a loaded machine's slow reply is not what is tested here
	conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir=off stats="$T/t$threshold.jsonl"
	for i in 1 2 3; do
		for how in main threads; do
			same_quietly "threshold $threshold, $how $i" $G $how
		done
	done
done
expect_eq "$(stat_sum t3600.jsonl fill sets)" 0 "results stored under the threshold"
[ "$(stat_sum t3600.jsonl fill misses)" -gt 0 ] || fail "no call missed under the threshold"
[ "$(stat_sum t0.jsonl fill sets)" -gt 0 ] || fail "no result stored with time_threshold = 0"
[ "$(stat_sum t0.jsonl fill hits)" -gt 0 ] || fail "no hit with time_threshold = 0"
exit 0
