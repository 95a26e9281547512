#!/usr/bin/env bash
# memcached store against a server with 1 MB of memory that evicts all the
# time (items of 512 KiB at most, read from `stats settings`): every get is a miss or the exact value written, chunked ones too.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached -m 1 -I 512k
mc_driver "127.0.0.1:$MC_PORT" 500
for size in 100 20000 300000 1500000; do
	mc set e$size 40 $size
	mc get e$size 40 $size
	expect_eq "$(val bad)" 0 "wrong values of $size bytes"
	expect_eq "$(val rejected)" 0 "rejected values of $size bytes"
	[ "$size" = 1500000 ] && { [ "$(val misses)" -gt 0 ] || fail "no eviction seen: $R"; }
done
mc get e100 40 100
expect_eq "$(val bad)" 0 "wrong values after eviction"
