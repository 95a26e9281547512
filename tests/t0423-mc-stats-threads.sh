# The stats of many threads hitting at once are exact (issue 17: each thread
# counts in a shard of its own, plain adds, the 16th thread on in one
# shared atomically): 24 threads, four functions, through memcached, with
# remote and l1 hits; the table at exit, the JSON line and `memo stats`
# across runs all hold every call. A fork child after them counts its own.
# (timeout_ms = 2000: 24 threads on a loaded machine must not time out,
# which would make a hit a miss.)
source "$TOP/tests/lib.sh"

start_memcached
mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/{dot,fill,describe_copy,sc_i32,count_vowels}.conf memo.d/
for f in memo.d/*.conf; do printf 'time_threshold = 0\n' >>"$f"; done
conf_cache dir=off servers="127.0.0.1:$MC_PORT" timeout_ms=2000 stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d" XDG_CACHE_HOME="$T/xdg"

MEMO_DISABLE=1 "$P/mt/mt" threads 24 >plain.out || fail "plain run"
for run in first second; do
	reset_runs
	under_memo "$P/mt/mt" threads 24 >$run.out 2>$run.err || { cat $run.err; fail "$run run"; }
	same plain.out $run.out "$run run"
	said $run.err && { cat $run.err; fail "$run run: said something"; }
	# each thread makes 200 calls of each function
	for fn in dot fill describe_copy sc_i32; do
		calls=$(stat_of stats.jsonl $fn calls)
		expect_eq "$calls" 4800 "$run run: $fn calls"
		expect_eq "$(($(stat_of stats.jsonl $fn hits) + $(stat_of stats.jsonl $fn misses)))" 4800 \
			"$run run: $fn hits + misses"
	done
done
expect_eq "$(wc -l <runs)" 0 "bodies run in the second run"
for fn in dot fill describe_copy sc_i32; do
	expect_eq "$(stat_of stats.jsonl $fn hits)" 4800 "second run: $fn hits"
done

# the table at exit: the same counts
conf_cache dir=off servers="127.0.0.1:$MC_PORT" timeout_ms=2000 stats=stderr
under_memo "$P/mt/mt" threads 24 >third.out 2>third.err || { cat third.err; fail "third run"; }
same plain.out third.out "third run"
cat third.err
for fn in dot fill describe_copy sc_i32; do
	row=$(grep -E "^  $fn +[0-9]" third.err) || fail "no row for $fn in the table"
	set -- $row
	expect_eq "$2 $3" "4800 4800" "the table's calls and hits of $fn"
done

# memo stats: every call of the three runs, kept at each exit
"$B/memo" stats -c memo.d >memo-stats.out 2>&1 || { cat memo-stats.out; fail "memo stats"; }
cat memo-stats.out
for fn in dot fill describe_copy sc_i32; do
	row=$(grep -E "^ *$fn +[0-9]" memo-stats.out) || fail "no row for $fn in memo stats"
	# ... calls hits misses saved: from the row's end
	expect_eq "$(echo "$row" | awk '{ print $(NF - 3), $(NF - 2) + $(NF - 1) }')" "14400 14400" \
		"memo stats: calls, and hits + misses, of $fn over three runs"
done

# a fork child of a process whose 24 threads counted reports its own calls:
# every shard zeroed, not only the forking thread's
conf_cache dir=off servers="127.0.0.1:$MC_PORT" timeout_ms=2000 stats="$T/fork.jsonl"
MEMO_DISABLE=1 "$P/mt/mt" threadfork 24 >plain-fork.out || fail "plain threadfork run"
under_memo "$P/mt/mt" threadfork 24 >fork.out 2>fork.err || { cat fork.err; fail "threadfork run"; }
same plain-fork.out fork.out "threadfork run"
expect_eq "$(wc -l <fork.jsonl)" 2 "stats lines (parent and child)"
child=$(python3 -c "import json; print(json.loads(open('fork.jsonl').readline())['symbols']['dot']['calls'])")
expect_eq "$child" 2 "the child's dot calls"
expect_eq "$(stat_of fork.jsonl dot calls)" 4803 "the parent's dot calls (24 x 200, then 3)"
