#!/usr/bin/env bash
# Owns: `memo run`'s summary. When the command has exited, each configured
# function that no process of the run found gets one line on stderr, with why:
# a misspelled name (did you mean), a function inlined away, one the compiler
# kept only as a clone, a stripped program. A function found in any process
# of the run (here a child of sh) gets none, nor does a config in error (said
# once, by the program). The program's output and exit status are as without
# libmemo, and the run leaves no report file behind.
source "$TOP/tests/lib.sh"
app="$P/inline/app"
export TMPDIR="$T/tmp"
mkdir "$TMPDIR" memo.d
printf '[cache]\ndir = cache\n' >memo.d/cache.conf
printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >memo.d/simulate.conf
printf '[function simulat]\nprototype = double simulat(int n, double x)\n' >memo.d/simulat.conf
printf '[function app_inlined]\nprototype = double app_inlined(int n)\n' >memo.d/app_inlined.conf

MEMO_DISABLE=1 sh -c "\"$app\" 3 1 4; exit 3" >plain.out
expect_eq "$?" 3 "exit status without libmemo"
"$B/memo" run -c memo.d -- sh -c "\"$app\" 3 1 4; exit 3" >run.out 2>run.err
expect_eq "$?" 3 "exit status under memo run"
cat run.err
same plain.out run.out "memo run"
grep -qF "memo: 'simulat' ($T/memo.d/simulat.conf:1) was found in no process of the run [not-found]: " run.err &&
	grep -q "'simulat' .*did you mean 'simulate' (in '.*/inline/app')?" run.err ||
	fail "no summary line with a did-you-mean for a misspelled function"
grep -q "memo: 'app_inlined' .* was found in no process of the run \[not-found\]: .*may have been inlined into every caller" run.err ||
	fail "no summary line saying a function was probably inlined"
grep -q "memo: 'simulate' .*found in no process" run.err && fail "a function found in a child is in the summary"
expect_eq "$(grep -c 'found in no process' run.err)" 2 "summary lines"
expect_eq "$(ls "$TMPDIR" | wc -l)" 0 "files left in TMPDIR"

note "a function kept only as a clone"
if nm "$app" | grep -q ' t scaled\.constprop'; then
	rm memo.d/simulat.conf memo.d/app_inlined.conf
	printf '[function scaled]\nprototype = double scaled(int n, double k)\n' >memo.d/scaled.conf
	"$B/memo" run -c memo.d -- "$app" 2 >run.out 2>run.err || { cat run.err; fail "memo run, clone"; }
	grep -q "memo: 'scaled' .* was found in no process of the run \[cloned\]: .*scaled\.constprop.*noipa" run.err ||
		{ cat run.err; fail "no summary line naming the clone and the attribute"; }
	rm memo.d/scaled.conf
else
	note "GCC did not clone 'scaled' here: the clone line is not tested"
fi

note "a stripped program: no process could hold the function"
strip -o app-stripped "$app"
rm -f memo.d/simulat.conf memo.d/app_inlined.conf
MEMO_DISABLE=1 ./app-stripped 3 1 >plain.out
"$B/memo" run -c memo.d -- ./app-stripped 3 1 >run.out 2>run.err || { cat run.err; fail "memo run, stripped"; }
same plain.out run.out "memo run, stripped"
grep -Eq "memo: 'simulate' .* was found in no process of the run( \[stripped\])?: .*app-stripped'.*stripped" run.err ||
	{ cat run.err; fail "no summary line saying the program is stripped"; }

note "every function found: no summary"
"$B/memo" run -c memo.d -- "$app" 3 1 >run.out 2>run.err || { cat run.err; fail "memo run"; }
grep -q "found in no process" run.err && { cat run.err; fail "a summary line when every function was found"; }

note "a config error: said once, by the program, and no summary"
mkdir bad.d
printf '[function f]\nprototype = double f(const void *x)\n' >bad.d/f.conf
"$B/memo" run -c bad.d -- "$app" 3 >run.out 2>run.err || { cat run.err; fail "memo run, config error"; }
expect_eq "$(grep -c "pointer 'x' has no length" run.err)" 1 "times the config error is said"
grep -q "found in no process" run.err && { cat run.err; fail "a summary line for a config in error"; }

note "a command that cannot be run: 127, and no summary"
"$B/memo" run -c memo.d -- ./no-such-program >run.out 2>run.err
expect_eq "$?" 127 "exit status of a command not found"
grep -q "found in no process" run.err && { cat run.err; fail "a summary line for a command never run"; }
exit 0
