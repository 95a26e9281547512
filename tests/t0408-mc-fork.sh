#!/usr/bin/env bash
# memcached store across fork: the parent holds live connections; forked
# children (after store_after_fork) read on connections of their own and
# close them on exit; the parent's connections are untouched and still answer.
source "$TOP/tests/lib.sh"
source "$TOP/tests/unit/mc_store.sh"

start_memcached; P1=$MC_PORT
start_memcached; P2=$MC_PORT
mc_driver "127.0.0.1:$P1,127.0.0.1:$P2"
mc set f 100 1000
mc get f 100 1000
expect_eq "$(val hits)" 100 "parent hits before fork"
mc forkget f 100 1000
mc get f 100 1000
expect_eq "$(val hits)/$(val bad)/$(val errors)/$(val reconnects)" 100/0/0/0 "parent after the children"
