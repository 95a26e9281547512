# Layering, end to end: with both a folder and memcached, the folder is asked
# first and memcached second; a memcached hit fills the folder; a miss stores
# to both. So a node that has seen a result keeps it when the server dies.
source "$TOP/tests/lib.sh"

start_memcached
mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
bin="$P/mc/mcmain"
layered() {	# layered FOLDER: a config with that folder in front of memcached
	# small_store = no: a folder's entries are counted as files
	printf '[cache]\ndir = %s\nservers = 127.0.0.1:%s\nstats = %s\nsmall_store = no\n' \
		"$T/$1" "$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
}
export MEMO_CONFIG="$T/memo.d"
entries() { find "$T/$1" -type f -name 'm1-*' 2>/dev/null | wc -l; }

MEMO_DISABLE=1 "$bin" 4 >plain.out || fail "plain run"
reset_runs

note "node A computes: stored in its folder and in memcached"
layered nodeA
under_memo "$bin" 4 >a.out 2>a.err || { cat a.err; fail "node A"; }
same plain.out a.out "node A"
expect_eq "$(runs mc_slow)" 4 "bodies run on node A"
[ "$(entries nodeA)" -ge 4 ] || fail "node A's folder holds $(entries nodeA) entries"

note "node B, empty folder: hits through memcached, which fill its folder"
reset_runs
layered nodeB
under_memo "$bin" 4 >b.out 2>b.err || { cat b.err; fail "node B"; }
same plain.out b.out "node B"
expect_eq "$(runs mc_slow)" 0 "bodies run on node B"
[ "$(entries nodeB)" -ge 4 ] || fail "node B's folder was not filled by memcached hits"

note "memcached dies: node B still hits from its folder"
stop_pid "$MC_PID"
under_memo "$bin" 4 >b2.out 2>b2.err || { cat b2.err; fail "node B without memcached"; }
same plain.out b2.out "node B without memcached"
expect_eq "$(runs mc_slow)" 0 "bodies run on node B with memcached dead"
expect_eq "$(stat_of stats.jsonl mc_slow hits)" 4 "hits from node B's folder"
