#!/usr/bin/env bash
# Owns: a call inside a signal handler served by memcached on a connection
# the thread already has, whose value is larger than any that thread
# fetched before (src/store/store_memcached.c: the result buffer sized at
# the handle's creation; the handle's allocators refusing inside a handler).
# tests/progs/handler/grow.c: `fill(n, seed, out a[n])` returns 8 to 3,840
# bytes. One process stores every value from main. Then a SIGALRM handler
# calls fill with growing n, its values all in memcached: in main, 200
# alarms interrupting a loop that lives in malloc and free, after main's own
# call of the smallest value; and in 8 threads one after the other, each
# sent 7 alarms after its own smallest call. The program's malloc, calloc,
# realloc and free abort when called inside its handler (its own, not a
# mock of libmemo's). The old build aborted in every run: libmemcached grew
# its result buffer with realloc inside the handler. Now each run's output
# is the one without libmemo, the handler's calls are served from memcached
# (hits, none bypassed), and nothing is said. The same with a folder in
# front of memcached (small2.mdb's reads inside the handler).
source "$TOP/tests/lib.sh"
command -v memcached >/dev/null || skip "no memcached"

G=$P/handler/grow
start_memcached
conf_function fill 'void fill(long n, long seed, out double a[n])' mechanism=inline time_threshold=0
export MEMO_CONFIG="$T/memo.d"

# memcached alone; then a folder in front of it (small2.mdb's reads, and the
# folder filled from memcached's hits, inside the handler)
for dir in off "$T/cache"; do
	# timeout_ms: a loaded machine's slow reply is not what is tested here
	conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir="$dir" stats="$T/stats.jsonl"
	MEMO_LOG=info under_memo $G store >/dev/null 2>info.err ||
		{ cat info.err; fail "storing run ($dir)"; }
	grep -q "'fill' memoized (" info.err || { cat info.err; fail "fill is not memoized"; }
	rm -f stats.jsonl
	for run in $(seq 10); do
		for how in main threads; do
			same_quietly "run $run $how ($dir)" $G $how
		done
	done
	# every value was stored: the handlers' first calls of each size were
	# served from the store (the rest from l1), none bypassed
	hits=$(stat_sum stats.jsonl fill hits)
	[ "$hits" -ge 2500 ] || fail "fill ($dir): $hits hits, expected every call's (2,500 or more)"
	expect_eq "$(stat_sum stats.jsonl fill bypassed)" 0 "fill's bypassed calls ($dir)"
	expect_eq "$(stat_sum stats.jsonl fill misses)" 0 "fill's misses ($dir)"
done
exit 0
