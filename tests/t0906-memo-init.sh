#!/usr/bin/env bash
# Owns: memo init ELF FUNCTION [-o DIR]. From a library built with -g it
# writes DIR/FUNCTION.conf: the prototype of the debug info, each guess
# marked CONFIRM; memo check accepts it, and memo run memoizes with it (the
# second run all hits, the output as without libmemo). It never overwrites
# a file, and writes nothing for a misspelled function (did you mean), one
# it cannot declare, or one without debug info.
source "$TOP/tests/lib.sh"
lib="$P/dwarf/libintegrate.so"
prog="$P/dwarf/dwarfprog"

"$B/memo" init "$lib" integrate -o memo.d >out 2>err || { cat err; fail "memo init integrate"; }
cat memo.d/integrate.conf
grep -qF "wrote 'memo.d/integrate.conf'; confirm the lines marked CONFIRM" out || { cat out; fail "not said"; }
grep -qx '\[function integrate\]' memo.d/integrate.conf || fail "no section"
grep -qx 'prototype = double integrate(const double coef\[n\], size_t n, double a, double b)' \
	memo.d/integrate.conf || fail "not the debug info's prototype"
grep -qx "; CONFIRM: 'coef' has n elements (guessed)" memo.d/integrate.conf || fail "the guessed length is not marked"
printf '[cache]\ndir = cache\nstats = %s\n' "$T/stats.jsonl" >memo.d/cache.conf
"$B/memo" check -c memo.d "$prog" >check.out 2>&1 || { cat check.out; fail "memo check rejects what memo init wrote"; }

MEMO_DISABLE=1 "$prog" 1 2 3 4 5 >plain.out || fail "plain run"
"$B/memo" run -c memo.d -- "$prog" 1 2 3 4 5 >first.out 2>first.err || { cat first.err; fail "first run"; }
same plain.out first.out "first run"
reset_runs
"$B/memo" run -c memo.d -- "$prog" 1 2 3 4 5 >second.out 2>second.err || { cat second.err; fail "second run"; }
same plain.out second.out "second run"
expect_eq "$(runs integrate)" 0 "integrate's body runs in the second run"
expect_eq "$(tail -n 1 stats.jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["symbols"]["integrate"]["hits"])')" 2 \
	"hits in the second run"

note "an existing file is never overwritten"
cp memo.d/integrate.conf before.conf
"$B/memo" init "$lib" integrate -o memo.d >out 2>err && fail "overwrote an existing file"
grep -q "memo init never overwrites" err || { cat err; fail "not said"; }
cmp -s before.conf memo.d/integrate.conf || fail "the file changed"

note "a misspelled function, one it cannot declare, one without debug info: nothing written"
"$B/memo" init "$lib" integrat -o other.d >out 2>err && fail "a misspelled function succeeded"
grep -q "no function 'integrat' (did you mean 'integrate'?)" err || { cat err; fail "no did-you-mean"; }
"$B/memo" init "$lib" stream_sum -o other.d >out 2>err && fail "a struct pointer succeeded"
grep -q "'stream_sum' cannot be memoized as its debug info describes it: 's': struct stream \* is not supported" err ||
	{ cat err; fail "not said why"; }
strip -g -o nodebug.so "$lib"
"$B/memo" init ./nodebug.so integrate -o other.d >out 2>err && fail "no debug info succeeded"
grep -q "'integrate': no debug info; build it with -g" err || { cat err; fail "not said"; }
[ ! -e other.d ] || { ls -R other.d; fail "something was written"; }
exit 0
