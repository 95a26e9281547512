#!/usr/bin/env bash
# memcached store: an 8 MiB value round trips through chunks (manifest plus
# one multi-get); a chunk deleted behind the store's back makes the entry a
# miss (never a wrong value), and a new write makes it whole again.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached; P1=$MC_PORT
start_memcached; P2=$MC_PORT
N=$((8 * 1024 * 1024))

mc_driver "127.0.0.1:$P1,127.0.0.1:$P2" 500
mc set big 3 $N
expect_eq "$(val stored)" 3 "stored"
mc get big 3 $N
expect_eq "$(val hits)/$(val bad)" 3/0 "round trip"
mc delchunk big 1 4
mc get big 3 $N
expect_eq "$(val hits)/$(val misses)/$(val bad)" 2/1/0 "after a chunk was deleted"
expect_eq "$(val rejected)" 0 "a missing chunk is a miss, not a rejection"
mc set big 3 $N
mc get big 3 $N
expect_eq "$(val hits)/$(val bad)" 3/0 "after rewriting"
