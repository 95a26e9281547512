# The demo's program (config/demo) shares its results between two processes
# through a real memcached: the first computes and stores, the second — with
# its own empty local folder — finds every result on the server.
source "$TOP/tests/lib.sh"

cc -O2 -fPIC -shared -o libsim.so "$TOP/config/demo/sim.c" -lm || fail "build libsim"
cc -O2 -o app "$TOP/config/demo/app.c" -L. -lsim -Wl,-rpath,"$T" || fail "build app"
start_memcached
mkdir memo.d
cp "$TOP/config/demo/memo.d/simulate.conf" memo.d/
node() {	# node NAME: the config of one node (its own folder, the shared server)
	printf '[cache]\ndir = %s\nservers = 127.0.0.1:%s\nstats = %s\n' \
		"$T/$1-cache" "$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
}
MEMO_DISABLE=1 ./app >plain.out || fail "plain run"

node one
"$B/memo" run -c memo.d -- ./app >one.out 2>one.err || { cat one.err; fail "first process"; }
same plain.out one.out "first process"
expect_eq "$(stat_of stats.jsonl simulate sets)" 6 "results stored by the first process"

node two
"$B/memo" run -c memo.d -- ./app >two.out 2>two.err || { cat two.err; fail "second process"; }
same plain.out two.out "second process"
expect_eq "$(stat_of stats.jsonl simulate hits)" 6 "hits in the second process"
expect_eq "$(stat_of stats.jsonl simulate evaluations)" 0 "evaluations in the second process"
