# A config error, or a configured symbol that does not exist: the program runs
# as without libmemo and stderr says what and where. MEMO_STRICT=1 turns a
# config error into exit status 2. A misspelled function, the only one
# configured, is said under MEMO_STRICT and MEMO_LOG=info, with the name
# meant (did you mean), and a function inlined away with the likely reason.
source "$TOP/tests/lib.sh"

mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/*.conf memo.d/
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"

note "a bad prototype"
printf '[function broken]\nprototype = double broken(const void *x)\n' >memo.d/zz-broken.conf
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

note "a misspelled function, the only one configured: quiet, but said under MEMO_STRICT and MEMO_LOG=info, with the name meant"
app="$P/inline/app"
mkdir typo.d
printf '[cache]\ndir = %s\n' "$T/cache" >typo.d/cache.conf
printf '[function simulat]\nprototype = double simulat(int n, double x)\n' >typo.d/simulat.conf
MEMO_DISABLE=1 "$app" 3 >aplain.out || fail "plain app"
MEMO_CONFIG="$T/typo.d" under_memo "$app" 3 >out 2>err || fail "app with a misspelled function"
same aplain.out out "misspelled function"
said err && { cat err; fail "a process holding no configured function spoke without being asked"; }
MEMO_STRICT=1 MEMO_CONFIG="$T/typo.d" under_memo "$app" 3 >out 2>err || fail "app, MEMO_STRICT"
same aplain.out out "misspelled function, MEMO_STRICT"
grep -q "'simulat' (.*simulat.conf:1) \[not-found\]: .*did you mean 'simulate' (in '.*app')?" err ||
	{ cat err; fail "MEMO_STRICT: the misspelling not said with the name meant"; }
MEMO_LOG=info MEMO_CONFIG="$T/typo.d" under_memo "$app" 3 >out 2>err || fail "app, MEMO_LOG=info"
grep -q "'simulat' is not in this process \[not-found\]: .*did you mean 'simulate'" err ||
	{ cat err; fail "MEMO_LOG=info: the misspelling not said"; }

note "a function the compiler inlined everywhere: the likely reason is said"
printf '[function app_inlined]\nprototype = double app_inlined(int n)\n' >typo.d/simulat.conf
MEMO_STRICT=1 MEMO_CONFIG="$T/typo.d" under_memo "$app" 3 >out 2>err || fail "app, inlined"
grep -q "'app_inlined' .*\[not-found\]: .*has no such function: a static one may have been inlined into every caller" err ||
	{ cat err; fail "an inlined function: no hint"; }
