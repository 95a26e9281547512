#!/usr/bin/env bash
# End to end through memcached: values written under real keys by a foreign
# client (garbage, a truncated value, a value of another format version) are
# rejected, counted, recomputed and overwritten; the output never changes.
source "$TOP/tests/lib.sh"

start_memcached
mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
printf '[cache]\nservers = 127.0.0.1:%s\nstats = %s\n' "$MC_PORT" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/mc/mcmain"
raw() { python3 "$TOP/tests/progs/mc/mcraw.py" "$MC_PORT" "$@"; }

MEMO_DISABLE=1 "$bin" 3 >plain.out || fail "plain run"
XDG_CACHE_HOME="$T/x0" under_memo "$bin" 3 >out 2>err || { cat err; fail "filling run"; }
same plain.out out "filling run"
keys=($(raw keys | grep -E '^m1-[0-9a-f]{64}$' | sort))
expect_eq "${#keys[@]}" 3 "entries on the server"
for i in "${!keys[@]}"; do raw get "${keys[$i]}" "real.$i" || fail "reading entry $i"; done

for case in garbage truncated version; do
	note "foreign values: $case"
	for i in "${!keys[@]}"; do
		case $case in
		garbage) printf 'not a libmemo value' >"bad.$i" ;;
		truncated) head -c $(( $(stat -c %s "real.$i") / 2 )) "real.$i" >"bad.$i" ;;
		version) python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[4:6] = (0x7f7f).to_bytes(2, "little"); open(sys.argv[2], "wb").write(b)' "real.$i" "bad.$i" ;;
		esac
		raw set "${keys[$i]}" "bad.$i" || fail "$case: foreign write"
	done
	reset_runs
	XDG_CACHE_HOME="$T/x-$case" under_memo "$bin" 3 >out 2>err || { cat err; fail "$case: run"; }
	same plain.out out "$case"
	expect_eq "$(stat_of stats.jsonl mc_slow rejected)" 3 "$case: rejected"
	expect_eq "$(stat_of stats.jsonl mc_slow hits)" 0 "$case: hits"
	expect_eq "$(runs mc_slow)" 3 "$case: recomputed"

	reset_runs
	XDG_CACHE_HOME="$T/x-$case-after" under_memo "$bin" 3 >out 2>err || { cat err; fail "$case: run after"; }
	same plain.out out "$case: after overwrite"
	expect_eq "$(runs mc_slow)" 0 "$case: bodies run after the overwrite"
	expect_eq "$(stat_of stats.jsonl mc_slow rejected)" 0 "$case: rejected after the overwrite"
done
