# A configured function costs a process nothing until its first call: a
# process that finds it but never calls it opens no store (no connection to
# memcached, so libmemcached is never loaded), computes and caches no code
# identity and writes no explain record (its prototype's verdict against the
# debug info, what the .symtabs told of its name and its entry's decode,
# start-up's own caches, are all it may leave in the cache folder). The first call does all of that,
# and later calls hit. Only the number of calls varies between the runs.
# (Threads racing to a first call: t0700.)
source "$TOP/tests/lib.sh"

start_memcached
mkdir memo.d
printf '[function fast_pure]\nprototype = int fast_pure(int x)\n' >memo.d/fast.conf
printf '[cache]\ndir = %s\nservers = 127.0.0.1:%s\nstats = %s\n' "$T/cache" "$MC_PORT" \
	"$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

# connections: how many connections memcached has accepted so far, this
# question's own included (each question adds one).
connections() {
	printf 'stats\r\nquit\r\n' |
		timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$MC_PORT; cat >&3; cat <&3" |
		sed -n 's/^STAT total_connections \([0-9]*\).*/\1/p'
}

note "found, never called: no store, no identity, no explain record"
before=$(connections)
MEMO_LOG=info under_memo "$P/mt/fastloop" 0 >out 2>err || { cat err; fail "run without calls"; }
cat err
expect_eq "$(cat out)" 0 "output without calls"
grep -q "'fast_pure' memoized" err || fail "the function was not found and patched"
expect_eq "$(connections)" $((before + 1)) "connections made by a process that never calls"
# (the prototype's verdict against the debug info, the symbol facts and the
# entry's plan are start-up records, kept in the identity folder: the only
# files such a process may leave there)
leftover=$(find "$T/cache" -type f ! -path "$T/cache/identity/s1-*" ! -path "$T/cache/identity/o2-*" \
	! -path "$T/cache/identity/d2-*" 2>/dev/null)
[ -z "$leftover" ] || { find "$T/cache" >&2; fail "a process that never calls wrote to the cache"; }
expect_eq "$(stat_of stats.jsonl fast_pure calls)" 0 "calls counted"

note "the first call opens the store and identifies the function"
MEMO_DISABLE=1 "$P/mt/fastloop" 50 >plain.out || fail "plain run"
before=$(connections)
under_memo "$P/mt/fastloop" 50 >out 2>err || { cat err; fail "run with calls"; }
same plain.out out "first run"
[ "$(connections)" -gt $((before + 1)) ] || fail "the first call did not reach memcached"
ls "$T"/cache/identity/*.id >/dev/null 2>&1 || fail "no identity cached after the first call"
expect_eq "$(stat_of stats.jsonl fast_pure misses)" 50 "misses of the first run"

note "a second process: every call a hit"
under_memo "$P/mt/fastloop" 50 >out 2>err || { cat err; fail "second run"; }
same plain.out out "second run"
expect_eq "$(stat_of stats.jsonl fast_pure hits)" 50 "hits of the second run"
