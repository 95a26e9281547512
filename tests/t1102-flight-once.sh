# single_flight = yes: 4 processes of 2 threads each miss the same key of a
# 1-second function at once; the body runs once, every caller prints the
# right value — on the folder store and on a real memcached. Without single
# flight the same start computes more than once (the scenario really overlaps).
source "$TOP/tests/lib.sh"

mkdir memo.d
conf() {	# conf yes|no
	cat >memo.d/slow.conf <<CONF
[function slow_square]
prototype = long slow_square(int x)
single_flight = $1
single_flight_wait_s = 60
CONF
}
export MEMO_CONFIG="$T/memo.d"
flight() { under_memo "$P/noisy/flight" "$@"; }
# check X: 8 lines "X -> X*X+1"
check() {
	for i in 1 2 3 4 5 6 7 8; do echo "$1 -> $(($1 * $1 + 1))"; done >want
	sort out >got
	same want got "values printed"
}

note "without single flight: concurrent misses all compute"
printf '[cache]\ndir = %s\nstats = off\n' "$T/cache0" >memo.d/cache.conf
conf no
flight slow 3 4 2 >out 2>err || { cat err; fail "run"; }
check 3
n=$(runs slow_square)
[ "$n" -ge 2 ] || fail "the 8 callers did not overlap (body ran $n times)"

for store in folder memcached; do
	note "$store: single flight"
	reset_runs
	rm -f stats.jsonl
	if [ $store = folder ]; then
		printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
		x=5
	else
		start_memcached
		printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\ntimeout_ms = 2000\nstats = %s\n' \
			"$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
		x=6
	fi
	conf yes
	flight slow $x 4 2 >out 2>err || { cat err; fail "$store: run"; }
	said err && { cat err; fail "$store: unexpected messages"; }
	check $x
	expect_eq "$(runs slow_square)" 1 "$store: body runs"
	expect_eq "$(stat_sum stats.jsonl slow_square evaluations)" 1 "$store: evaluations"
	expect_eq "$(stat_sum stats.jsonl slow_square hits)" 7 "$store: hits"
	expect_eq "$(stat_sum stats.jsonl slow_square wait_expired)" 0 "$store: waits that ran out"
	w=$(stat_sum stats.jsonl slow_square waited)
	[ "$w" -ge 1 ] || fail "$store: nobody waited"
	note "$store: $w of 7 callers waited, the others found the entry"
	# The holder dropped its lease after storing.
	if [ $store = folder ]; then
		! ls cache/*/lease1-* 2>/dev/null || fail "folder: a lease file is left"
	fi
done
