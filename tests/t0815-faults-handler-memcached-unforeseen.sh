#!/usr/bin/env bash
# Owns: the memcached gets inside a signal handler that would allocate
# where the caller (call.c's needs_heap) could not foresee it, and so are
# refused (src/store/store_memcached.c: mc_may_allocate, mc_held_back):
# - chunks: a memcached whose item size is 2 KiB (`-I 2k`) makes every
#   value over 1,536 bytes a manifest and chunks; fetching them allocates;
# - a thread's handle made inside the handler: with a folder in front, each
#   thread's first call is served by the folder, so its memcached handle
#   does not exist yet when the handler's call misses the folder.
# tests/progs/handler/grow.c, whose own malloc and kin abort inside its
# handler, as in t0814. The old build aborted in every run (malloc from the
# chunks' get, calloc from the handle's creation). Now such calls compute
# (counted bypassed), each run's output is the one without libmemo, and
# nothing is said.
source "$TOP/tests/lib.sh"
command -v memcached >/dev/null || skip "no memcached"

G=$P/handler/grow
conf_function fill 'void fill(long n, long seed, out double a[n])' mechanism=inline time_threshold=0
export MEMO_CONFIG="$T/memo.d"

# run WHAT HOW: the program under libmemo, against its plain run
run() { same_quietly "$1, $2" $G $2; }

start_memcached -I 2k -o slab_chunk_max=1024
# timeout_ms: a loaded machine's slow reply is not what is tested here
conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir=off stats="$T/chunks.jsonl"
MEMO_LOG=info under_memo $G store >/dev/null 2>info.err || { cat info.err; fail "storing run"; }
grep -q "'fill' memoized (" info.err || { cat info.err; fail "fill is not memoized"; }
for i in $(seq 5); do
	run "chunks $i" main
	run "chunks $i" threads
done
[ "$(stat_sum chunks.jsonl fill bypassed)" -gt 0 ] || fail "no chunked get was held back"
[ "$(stat_sum chunks.jsonl fill hits)" -gt 0 ] || fail "nothing was served"

start_memcached
for i in $(seq 5); do
	rm -rf cache
	# the first calls' values in the folder (and memcached); the rest in
	# memcached only
	conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir="$T/cache"
	under_memo $G firsts >/dev/null || fail "first values ($i)"
	conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir=off
	[ $i = 1 ] && { under_memo $G store >/dev/null || fail "storing run"; }
	conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir="$T/cache" stats="$T/layered.jsonl"
	run "folder in front $i" main
	rm -rf cache
	conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir="$T/cache"
	under_memo $G firsts >/dev/null || fail "first values ($i)"
	conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir="$T/cache" stats="$T/layered.jsonl"
	run "folder in front $i" threads
done
[ "$(stat_sum layered.jsonl fill bypassed)" -gt 0 ] || fail "no handle was held back"
exit 0
