# End to end, through GOT slots: every shape of the prototype language, in
# every link mode (lazy PLT, full RELRO, -fno-plt). The program runs without
# libmemo, then twice with it: outputs byte-identical, and the second run
# executes no memoized body (only `fast`, below its time threshold).
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/*.conf memo.d/
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
memoized=$(ls memo.d | grep -vc -e '^cache.conf$' -e '^fast.conf$')

for mode in lazy now noplt; do
	note "link mode $mode"
	bin="$P/shapes/shapes-$mode"
	rm -rf cache stats.jsonl
	reset_runs
	MEMO_DISABLE=1 "$bin" 2 >plain.out || fail "$mode: plain run failed"
	plain_bodies=$(wc -l <runs)

	reset_runs
	under_memo "$bin" 2 >first.out 2>first.err || { cat first.err; fail "$mode: first run failed"; }
	same plain.out first.out "$mode: first run"
	# the only thing to say: describe() fills a static buffer (a purity warning)
	grep 'warning\|error' first.err | grep -v "'describe' reads writable globals" &&
		fail "$mode: first run complained"
	# Within one run the second repetition is already served from the cache.
	[ "$(wc -l <runs)" -lt "$plain_bodies" ] || fail "$mode: the first run did not hit its own entries"
	expect_eq "$(runs with_job)" 1 "$mode: with_job ignores job_id"

	reset_runs
	under_memo "$bin" 2 >second.out 2>second.err || fail "$mode: second run failed"
	same plain.out second.out "$mode: second run"
	expect_eq "$(grep -vxc fast runs)" 0 "$mode: memoized bodies run in the second run"
	expect_eq "$(runs fast)" 2 "$mode: fast runs each time (below threshold)"
	expect_eq "$(stat_of stats.jsonl dot hits)" 4 "$mode: dot hits"
	expect_eq "$(stat_of stats.jsonl dot misses)" 0 "$mode: dot misses"
	expect_eq "$(stat_of stats.jsonl fast bypassed)" 2 "$mode: fast bypassed"
	expect_eq "$(stat_of stats.jsonl fast sets)" 0 "$mode: fast never stored"
	n=$(python3 -c "import json; print(len(json.loads(open('stats.jsonl').readlines()[-1])['symbols']))")
	expect_eq "$n" "$((memoized + 1))" "$mode: symbols in the stats"
done
