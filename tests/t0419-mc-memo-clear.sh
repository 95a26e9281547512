#!/usr/bin/env bash
# memo clear and memo stats with memcached (src/cmd/cmd_store.c, cmd_stats.c):
# memcached cannot be listed, so clear invalidates through the flush
# generation (records.c) and says memcached frees the memory itself; clear
# SYMBOL recomputes only that function. With a folder in front, clear deletes
# the folder's entries as well. memo stats sums every run's counters kept in
# the default cache folder (memcached alone). Outputs equal the runs without
# libmemo.
source "$TOP/tests/lib.sh"

start_memcached
mkdir -p "$XDG_CACHE_HOME" memo.d	# as ~/.cache is
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nstats = %s\n' "$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
MEMO_DISABLE=1 "$bin" 4 100 >plain.out || fail "plain run"
run() { under_memo "$bin" 4 100 >out 2>err || { cat err; fail "run"; }; same plain.out out "$1"; }

reset_runs
run "filling run"
expect_eq "$(runs mc_slow)$(runs mc_big)" 42 "bodies run by the filling run"
reset_runs
run "hitting run"
expect_eq "$(runs mc_slow)$(runs mc_big)" 00 "bodies run by the hitting run"

note "memo stats: memcached alone, the counters of both runs"
"$B/memo" stats --json >stats.json 2>err || { cat err; fail "memo stats --json"; }
expect_eq "$(python3 -c "import json; print(json.load(open('stats.json'))['functions']['mc_slow']['hits'])")" \
	"$(stat_sum stats.jsonl mc_slow hits)" "mc_slow hits over both runs"

note "memo clear mc_slow: invalidated, said; mc_big still hits"
"$B/memo" clear mc_slow >out.clear 2>err || { cat err; fail "memo clear mc_slow"; }
grep -q "^flushed 'mc_slow' (new generation [0-9a-f]\{16\})" out.clear || { cat out.clear; fail "clear: no generation"; }
grep -q "memcached frees their memory itself" out.clear || { cat out.clear; fail "clear: memcached's memory not said"; }
reset_runs
run "after clear mc_slow"
expect_eq "$(runs mc_big)" 0 "mc_big bodies after clear mc_slow"	# it is called: 2 in the filling run
[ "$(runs mc_slow)" -gt 0 ] || fail "mc_slow not recomputed after clear mc_slow"

note "a folder in front: memo clear deletes its entries and invalidates memcached's"
# small_store = no: the folder's entries are counted as files
printf '[cache]\ndir = %s\nservers = 127.0.0.1:%s\nstats = off\nsmall_store = no\n' "$T/folder" "$MC_PORT" >memo.d/cache.conf
run "layered, filling the folder"
[ "$(find "$T/folder" -name 'm1-*' | wc -l)" -gt 0 ] || fail "nothing in the folder"
"$B/memo" clear >out.clear 2>err || { cat err; fail "memo clear"; }
grep -q "^every function: [1-9][0-9]* entries removed" out.clear || { cat out.clear; fail "clear: the folder's entries"; }
expect_eq "$(find "$T/folder" -name 'm1-*' | wc -l)" 0 "folder entries after clear"
reset_runs
run "layered, after clear"
[ "$(runs mc_slow)" -gt 0 ] && [ "$(runs mc_big)" -gt 0 ] ||
	fail "not recomputed after clear: $(runs mc_slow) $(runs mc_big) bodies; $(cat out.clear)"
exit 0
