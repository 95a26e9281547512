# fork: parent and child both keep working, and both report their own stats.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/{dot,count_vowels}.conf memo.d/
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/mt/mt" fork >plain.out || fail "plain run"
reset_runs
under_memo "$P/mt/mt" fork >first.out 2>first.err || { cat first.err; fail "run under libmemo"; }
same plain.out first.out "fork run"
expect_eq "$(wc -l <stats.jsonl)" 2 "stats lines (parent and child)"
pids=$(python3 -c "import json; print(len({json.loads(l)['pid'] for l in open('stats.jsonl')}))")
expect_eq "$pids" 2 "distinct pids in the stats"
# child: 2 dot calls, 2 count_vowels calls; parent: 3 and 3. The counters
# are per process: a child does not report its parent's calls.
expect_eq "$(stat_sum stats.jsonl dot calls)" 5 "dot calls over both processes"
first_line_calls=$(python3 -c "import json; print(json.loads(open('stats.jsonl').readline())['symbols']['dot']['calls'])")
expect_eq "$first_line_calls" 2 "the child (exits first) reports only its own calls"
expect_eq "$(runs dot)" 3 "dot bodies: keys 1, 2, 3 computed once each"
