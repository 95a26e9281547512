#!/usr/bin/env bash
# Owns: entry patching while another thread runs the patched bytes. A
# dlopened library's constructor starts a thread that spins in race_f (first
# instruction: a 1-byte push) while libmemo patches race_f after the dlopen.
# A thread paused after the push would resume inside the 5-byte jump and
# decode its displacement: so with threads running, a function whose first
# instruction is shorter than the jump is not entry-patched; it is memoized
# through its GOT slots, and libmemo says so. 1,000 starts, each with the
# output of the run without libmemo and exit status 0.
source "$TOP/tests/lib.sh"

conf_function race_f 'long race_f(long x)'
conf_cache dir="$T/cache"
export MEMO_CONFIG="$T/memo.d"
lib="$P/inline/race_plug.so"

MEMO_DISABLE=1 "$P/inline/race_host" "$lib" >plain.out || fail "race_host without libmemo"
under_memo "$P/inline/race_host" "$lib" >out 2>err || { cat err; fail "first run"; }
same plain.out out "first run"
grep -q "'race_f': not entry-patched \[not-atomic\]" err || { cat err; fail "no word of why race_f is not entry-patched"; }

starts=${RACE_STARTS:-1000}
bad=0
for ((i = 0; i < starts; i++)); do
	under_memo "$P/inline/race_host" "$lib" >out 2>err
	rc=$?
	if [ $rc != 0 ] || ! cmp -s plain.out out; then
		bad=$((bad + 1))
		[ $bad = 1 ] && { echo "start $i: exit $rc"; cat out err; }
	fi
done
expect_eq "$bad" 0 "starts of $starts that crashed or printed otherwise"
exit 0
