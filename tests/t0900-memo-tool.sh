# The memo command: run, check (a library, and a program whose library holds
# the functions), stats, flush — against the shapes program.
source "$TOP/tests/lib.sh"

MEMO="$B/memo"
mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/{dot,fill,sc_i32}.conf memo.d/
printf '[cache]\ndir = cache\nstats = %s\n' "$T/stats.jsonl" >memo.d/cache.conf
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"

note "memo check: a good config, symbols looked up in the library"
"$MEMO" check -c memo.d "$P/shapes/libshapes.so" >check.out 2>&1 || { cat check.out; fail "check failed"; }
grep -q "^dot: found in .*libshapes.so (.dynsym\|^dot: found in .*libshapes.so (.symtab" check.out || { cat check.out; fail "dot not found"; }
grep -q "memo.d: 3 functions, 0 not found" check.out || { cat check.out; fail "check summary"; }
# each prototype as written in the config, not libmemo's notation
proto=$(sed -n 's/^prototype *= *//p' memo.d/dot.conf)
grep -qxF "  $T/memo.d/dot.conf:1: $proto" check.out || grep -qxF "  memo.d/dot.conf:1: $proto" check.out ||
	{ cat check.out; fail "check does not print dot's prototype as written"; }

note "memo check on the program: its functions found in the library it loads"
"$MEMO" check -c memo.d "$bin" >check.out 2>&1 || { cat check.out; fail "check of the program failed"; }
grep -q "^dot: found in .*/libshapes.so, a library $bin loads" check.out || { cat check.out; fail "dot not found in the program's library"; }
grep -q "memo.d: 3 functions, 0 not found" check.out || { cat check.out; fail "check of the program: summary"; }

note "memo check: a config error, exactly as libmemo says it"
printf '[function oops]\nprototype = double oops(const void *x)\n' >memo.d/zz.conf
"$MEMO" check -c memo.d >check.out 2>&1 && fail "check accepted a bad config"
grep -q "^libmemo: error: .*zz.conf:2:" check.out || { cat check.out; fail "no file:line"; }
rm memo.d/zz.conf

note "memo check: a symbol nowhere"
printf '[function nowhere_fn]\nprototype = int nowhere_fn(int x)\n' >memo.d/zz.conf
"$MEMO" check -c memo.d "$P/shapes/libshapes.so" >check.out 2>&1 && fail "check accepted a missing symbol"
grep -q "^nowhere_fn: not found in" check.out || { cat check.out; fail "missing symbol not reported"; }
rm memo.d/zz.conf

note "memo run: twice, the second served from the cache"
"$MEMO" run -c memo.d -- "$bin" 1 >first.out 2>/dev/null || fail "memo run"
same plain.out first.out "memo run, first"
reset_runs
"$MEMO" run -c memo.d -- "$bin" 1 >second.out 2>/dev/null || fail "memo run again"
same plain.out second.out "memo run, second"
expect_eq "$(runs dot)$(runs fill)$(runs sc_i32)" 000 "memoized bodies run the second time"

note "memo stats: what the folder holds"
"$MEMO" stats -c memo.d >stats.out || fail "memo stats"
grep -qi "entries" stats.out || { cat stats.out; fail "memo stats says nothing of entries"; }

note "memo flush SYMBOL: only that symbol recomputes"
"$MEMO" flush -c memo.d dot >/dev/null || fail "memo flush dot"
reset_runs
"$MEMO" run -c memo.d -- "$bin" 1 >third.out 2>/dev/null || fail "run after flush"
same plain.out third.out "after flushing dot"
expect_eq "$(runs dot)" 2 "dot recomputed (two keys)"
expect_eq "$(runs fill)$(runs sc_i32)" 00 "others still cached"

note "memo flush: everything recomputes"
"$MEMO" flush -c memo.d >/dev/null || fail "memo flush"
reset_runs
"$MEMO" run -c memo.d -- "$bin" 1 >fourth.out 2>/dev/null || fail "run after flush all"
same plain.out fourth.out "after flushing all"
expect_eq "$(runs dot)$(runs fill)$(runs sc_i32)" 211 "everything recomputed"
