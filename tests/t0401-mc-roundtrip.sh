#!/usr/bin/env bash
# memcached store: values of several sizes round trip through the store API,
# and a second process reads what the first one wrote.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached
S="127.0.0.1:$MC_PORT"

mc_driver "$S"
for size in 0 8 1024 65536 500000; do
	mc set v$size 20 $size
	expect_eq "$(val stored)" 20 "stored values of $size bytes"
	mc get v$size 20 $size
	expect_eq "$(val hits)/$(val bad)" 20/0 "hits/bad for $size bytes"
done
mc get never 5 8
expect_eq "$(val misses)" 5 "misses for keys never written"
expect_eq "$(val errors)" 0 "errors"

# Another process: a fresh driver with its own connections.
printf 'get v1024 20 1024\n' | "$P/unit/mc_store" "$S" >"$T/second" || fail "second process"
R=$(cat "$T/second")
expect_eq "$(val hits)/$(val bad)" 20/0 "second process hits/bad"
