# A config error, or a configured symbol that does not exist: the program runs
# as without libmemo and stderr says what and where. MEMO_STRICT=1 turns a
# config error into exit status 2.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/*.conf memo.d/
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"

note "a bad prototype"
printf '[function broken]\nprototype = double broken(const double *x)\n' >memo.d/zz-broken.conf
MEMO_CONFIG="$T/memo.d" under_memo "$bin" 1 >out 2>err || fail "run with a config error"
same plain.out out "config error"
grep -q "zz-broken.conf:2:" err || { cat err; fail "stderr does not give file:line"; }
grep -q "running unmemoized" err || { cat err; fail "stderr does not say it runs unmemoized"; }
[ ! -d cache ] || fail "a cache was written despite the config error"

note "MEMO_STRICT=1"
MEMO_STRICT=1 MEMO_CONFIG="$T/memo.d" under_memo "$bin" 1 >out 2>err
expect_eq "$?" 2 "exit status under MEMO_STRICT"
rm memo.d/zz-broken.conf

note "a symbol that does not exist"
printf '[function no_such_function]\nprototype = int no_such_function(int x)\n' >memo.d/zz-missing.conf
reset_runs
MEMO_CONFIG="$T/memo.d" under_memo "$bin" 1 >out 2>err || fail "run with a missing symbol"
same plain.out out "missing symbol"
grep -q "'no_such_function'.*zz-missing.conf:1" err || { cat err; fail "stderr does not name the missing symbol"; }
MEMO_CONFIG="$T/memo.d" under_memo "$bin" 1 >out 2>err || fail "second run"
same plain.out out "missing symbol, second run"
