#!/usr/bin/env bash
# memcached store gets/cas: 4 processes add 1 fifty times each to one counter
# with a compare-and-swap loop (token 0 = add); no increment is lost.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached
mc_driver "127.0.0.1:$MC_PORT"
mc casinc counter 4 50
expect_eq "$(val count)" 200 "counter after 4 x 50 increments"
