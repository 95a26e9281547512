#!/usr/bin/env bash
# Behind twemproxy (Debian's nutcracker) in front of two memcached servers:
# values, chunked values, single flight and `memo flush` work through the
# proxy as against one server. A stalled backend is the proxy's to isolate
# (libmemo sees one server, README "Behind a proxy"): the program's output
# stays identical while it stalls, and once nutcracker has ejected it every
# key hits on the remaining server. Skipped where nutcracker is not installed.
source "$TOP/tests/lib.sh"

command -v nutcracker >/dev/null || skip "nutcracker (Debian's twemproxy) is not installed"

start_memcached
M1=$MC_PID M1_PORT=$MC_PORT
start_memcached
M2_PORT=$MC_PORT

# start_proxy: nutcracker on a free loopback port (a kernel-chosen port is
# found by binding it, then handed over: retried if someone took it first).
start_proxy() {
	local try i
	for try in 1 2 3 4 5; do
		read -r PX SP < <(python3 -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')
		# The proxy's own timeout is below libmemo's timeout_ms, so a
		# stalled backend is the proxy's fault to report, and it ejects
		# the backend at its first failure.
		cat >nc.yml <<YML
pool:
  listen: 127.0.0.1:$PX
  hash: fnv1a_64
  distribution: ketama
  timeout: 200
  auto_eject_hosts: true
  server_failure_limit: 1
  server_retry_timeout: 600000
  servers:
   - 127.0.0.1:$M1_PORT:1 one
   - 127.0.0.1:$M2_PORT:1 two
YML
		nutcracker -c nc.yml -s "$SP" -a 127.0.0.1 -o nc.log -p nc.pid &
		NC=$!
		_pids+=("$NC")
		for i in $(seq 1 100); do
			kill -0 "$NC" 2>/dev/null || break
			(exec 3<>"/dev/tcp/127.0.0.1/$PX") 2>/dev/null && return 0
			sleep 0.05
		done
		stop_pid "$NC"
	done
	cat nc.log
	fail "nutcracker did not start"
}
start_proxy

mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
printf '[cache]\nservers = 127.0.0.1:%s\ntimeout_ms = 2000\nstats = %s\n' "$PX" "$T/stats.jsonl" >memo.d/cache.conf
mkdir memo.f
cp memo.d/cache.conf memo.f/
cat >memo.f/slow.conf <<CONF
[function slow_square]
prototype = long slow_square(int x)
single_flight = yes
single_flight_wait_s = 60
CONF
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
N=$((1024 * 1024))	# mc_big's doubles: 8 MiB, stored as chunks
run() {	# run NAME ARGS...: a process with its own empty folder cache
	local name=$1
	shift
	reset_runs
	rm -f stats.jsonl
	XDG_CACHE_HOME="$T/x-$name" under_memo "$bin" "$@" >"$name.out" 2>"$name.err" ||
		{ cat "$name.err"; fail "$name: run"; }
}

MEMO_DISABLE=1 "$bin" 8 $N >plain.out || fail "plain run"
run first 8 $N
same plain.out first.out "first"
said first.err && { cat first.err; fail "first: unexpected messages"; }
expect_eq "$(runs mc_slow)/$(runs mc_big)" 8/2 "first: bodies run"

run second 8 $N
same plain.out second.out "second"
expect_eq "$(runs mc_slow)/$(runs mc_big)" 0/0 "second: bodies run (hits through the proxy)"
expect_eq "$(stat_of stats.jsonl mc_slow hits)/$(stat_of stats.jsonl mc_big hits)" 8/2 "second: hits"

note "single flight through the proxy: 4 processes of 2 threads, one body"
reset_runs
rm -f stats.jsonl
MEMO_CONFIG="$T/memo.f" XDG_CACHE_HOME="$T/x-flight" under_memo "$P/noisy/flight" slow 7 4 2 >flight.out 2>flight.err ||
	{ cat flight.err; fail "flight: run"; }
for i in 1 2 3 4 5 6 7 8; do echo "7 -> 50"; done >want
sort flight.out >got
same want got "flight: values printed"
expect_eq "$(runs slow_square)" 1 "flight: body runs"

note "memo flush through the proxy"
"$B/memo" flush -c memo.d mc_slow >flush.out 2>&1 || { cat flush.out; fail "memo flush"; }
run third 8 $N
same plain.out third.out "third"
expect_eq "$(runs mc_slow)/$(runs mc_big)" 8/0 "third: after the flush, mc_slow recomputed, mc_big hit"

note "one backend stalled: output unchanged, then the proxy ejects it"
MEMO_DISABLE=1 "$bin" 16 0 100 >plain16.out || fail "plain run, 16 seeds"
kill -STOP "$M1"
run stalled 16 0 100
same plain16.out stalled.out "while a backend is stalled"
run ejected 16 0 100
same plain16.out ejected.out "after the proxy ejected it"
run again 16 0 100
same plain16.out again.out "again"
expect_eq "$(runs mc_slow)" 0 "every key served by the remaining server"
expect_eq "$(stat_of stats.jsonl mc_slow hits)" 16 "hits on the remaining server"
kill -CONT "$M1"
