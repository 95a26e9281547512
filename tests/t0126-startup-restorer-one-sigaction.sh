#!/usr/bin/env bash
# t0126: start-up learns glibc's signal restorer (src/base/sigframe.c, which
# tells a first call inside a signal handler apart) from the action crash.c
# has just set through glibc for SIGSEGV: one rt_sigaction that reads it.
# It used to set a default action on SIGHUP through glibc, read it back and
# put the kernel's record back (four calls on SIGHUP at every start). With
# every function GOT-routed there is no crash handler: the restorer is then
# learnt as before, the program's SIGHUP action put back as it was. Counted
# with strace, the output the program's either way.
source "$TOP/tests/lib.sh"
command -v strace >/dev/null || skip "strace is not installed (tools/install-deps.sh test)"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime sets signal actions of its own"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
conf_ten_libc
printf 'one\ntwo\n' >in.txt
cat in.txt >plain.out

for run in first again; do	# the second start patches from the caches
	MEMO_LOG=info strace -f -o "$run.trace" -e trace=rt_sigaction \
		env LD_PRELOAD="$PRELOAD" cat in.txt >"$run.out" 2>"$run.err" ||
		{ cat "$run.err"; fail "$run: cat failed"; }
	same plain.out "$run.out" "$run"
	expect_eq "$(memoized_in "$run.err")" 10 "$run: functions memoized"
	grep -q 'rt_sigaction(SIGSEGV, {sa_handler=' "$run.trace" ||
		fail "$run: no crash handler was installed"
	others=$(grep 'rt_sigaction(' "$run.trace" | grep -cv 'rt_sigaction(SIG\(SEGV\|ILL\|BUS\),')
	expect_eq "$others" 0 "$run: rt_sigaction calls on other signals than the crash handler's"
done

# GOT-routed only: no crash handler, the restorer learnt on a signal at its
# default action, which stays at its default
rm -rf memo.d
conf_cache dir="$T/cache" stats=off
while IFS=: read -r name proto; do
	conf_function "$name" "$proto" mechanism=got
done <<<"$TEN_LIBC"
MEMO_LOG=info strace -f -o got.trace -e trace=rt_sigaction \
	env LD_PRELOAD="$PRELOAD" cat in.txt >got.out 2>got.err ||
	{ cat got.err; fail "got: cat failed"; }
same plain.out got.out "got"
expect_eq "$(memoized_in got.err)" 10 "got: functions memoized"
grep -q 'rt_sigaction(SIGSEGV, {' got.trace && fail "got: a crash handler was installed"
grep -q 'rt_sigaction(SIGHUP, {sa_handler=SIG_DFL' got.trace ||
	fail "got: the restorer was not learnt on SIGHUP"
exit 0
