#!/usr/bin/env bash
# Owns: the product end to end: `memo run -c DIR -- ./app` on an unmodified,
# unstripped -O2 executable memoizes its static function (mechanism left to
# its default, auto: entry patching). Same output as without libmemo; repeated
# arguments hit within the first run; the second run runs no body. A static
# function GCC kept only as a clone (other arguments) and a variable are
# refused, saying so.
source "$TOP/tests/lib.sh"
app="$P/inline/app"

nm "$app" | grep -q ' t simulate$' || fail "the test program lost its static simulate"
mkdir memo.d
printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >memo.d/simulate.conf
printf '[function scaled]\nprototype = double scaled(int n, double k)\n' >memo.d/scaled.conf
printf '[function app_x]\nprototype = double app_x(int n)\n' >memo.d/app_x.conf
printf '[cache]\ndir = cache\nstats = %s\n' "$T/stats.jsonl" >memo.d/cache.conf
set -- 3 1 4 1 5 9 2 6 5 3

MEMO_DISABLE=1 "$app" "$@" >plain.out || fail "app without libmemo"
expect_eq "$(runs simulate)" 10 "body runs without libmemo"
reset_runs
"$B/memo" run -c memo.d -- "$app" "$@" >first.out 2>first.err || { cat first.err; fail "first memo run"; }
cat first.err
same plain.out first.out "first memo run"
expect_eq "$(runs simulate)" 7 "body runs in the first run (7 distinct arguments)"
grep -qF "'app_x' ($T/memo.d/app_x.conf:1) cannot be memoized [not-function]: " first.err ||
	fail "a variable configured as a function was not refused"
[ -d memo.d/cache ] || fail "no cache beside the config"
reset_runs
"$B/memo" run -c memo.d -- "$app" "$@" >second.out 2>second.err || { cat second.err; fail "second memo run"; }
same plain.out second.out "second memo run"
expect_eq "$(runs simulate)" 0 "body runs in the second run"
expect_eq "$(stat_of stats.jsonl simulate hits)" 10 "hits in the second run"

if nm "$app" | grep -q ' t scaled\.constprop'; then
	grep -qF "'scaled' ($T/memo.d/scaled.conf:1) [cloned]: " first.err ||
		fail "no clear warning for a function kept only as a clone"
	expect_eq "$(runs scaled)" 10 "scaled runs as without libmemo"
else
	note "GCC did not clone 'scaled' here: the clone warning is not tested"
fi
exit 0
