#!/usr/bin/env bash
# t1411: a struct with padding passed by pointer (issue 15). struct sample
# { char tag; double w; short k; } has 7 bytes of padding after tag and 6
# at its end. tests/progs/structs hands weigh() and weigh_one() samples
# whose padding holds PAD, then PAD + 1: the key hashes the fields run by
# run (src/store/key.c, src/call/l1.c), never the padding, so the second
# call in a process is served by l1 and a process with another PAD by the
# folder. make_samples() fills `out struct sample out[n]` over bytes set
# to 0x5a: a hit restores the fields byte for byte.
source "$TOP/tests/lib.sh"

prog="$P/structs/structs_main"
export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
mkdir -p memo.d
printf '[types]\nstruct sample = { char tag; double w; short k; }\n' >memo.d/types.conf
conf_function weigh 'double weigh(const struct sample s[n], size_t n)'
conf_function weigh_one 'double weigh_one(struct sample s)'
conf_function make_samples 'void make_samples(int n, out struct sample out[n])'
MEMO_DISABLE=1 "$prog" 1 17 >plain.out || fail "plain run"

note "padding 17, then 18 in one process"
reset_runs
under_memo "$prog" 1 17 >one.out 2>one.err || { cat one.err; fail "first run"; }
! said one.err || { cat one.err; fail "the first run said something"; }
same plain.out one.out "first run"
# weigh(in, 4) and weigh(in, 2) twice: the second pair differs only in padding
expect_eq "$(runs weigh)" 2 "weigh's bodies (the second padding hits)"
expect_eq "$(runs weigh_one)" 1 "weigh_one's bodies (the second padding hits)"
expect_eq "$(stat_of stats.jsonl weigh hits)" 2 "weigh's hits in the first run"
expect_eq "$(runs make_samples)" 1 "make_samples' bodies"

note "padding 200 and 201 in another process"
reset_runs
under_memo "$prog" 1 200 >two.out 2>two.err || { cat two.err; fail "second run"; }
! said two.err || { cat two.err; fail "the second run said something"; }
same plain.out two.out "second run"
for f in weigh weigh_one make_samples; do
	expect_eq "$(runs $f)" 0 "'$f' bodies in the second run"
done
expect_eq "$(stat_of stats.jsonl weigh hits)" 4 "weigh's hits in the second run"
expect_eq "$(stat_of stats.jsonl make_samples hits)" 1 "make_samples' hits"
exit 0
