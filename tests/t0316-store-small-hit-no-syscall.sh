#!/usr/bin/env bash
# Owns: a hit from the folder's store of small entries makes no system call
# (issue 17: a small hit costs LMDB's reads in its shared map, the key and
# the check; a file per entry cost an open, fstat, pread and close). Reruns
# of 1000 and of 2000 calls, every call a hit, make the same system calls
# (strace -f; the program's own writes to stdout left out) and print what
# the plain run prints, byte for byte; so do reruns two hours later, whose
# hits mark their entries used (small2.mdb-use). With small_store = no the
# same comparison counts the files' calls (the check can fail). The runs
# are made without address randomization (setarch -R) and with arguments
# of one length: start-up's scans of the stack (sigframe.c) take as many
# reads as the stack's random top leaves them. Skipped without strace
# (tools/install-deps.sh test) and under SAN=1 (ASan's runtime makes calls
# of its own).
source "$TOP/tests/lib.sh"
command -v strace >/dev/null || skip "no strace (tools/install-deps.sh test)"
strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here (no ptrace?)"
setarch -R true 2>/dev/null || skip "setarch -R (no address randomization) does not run here"
[ "${SAN:-0}" = 1 ] && skip "under SAN=1: ASan's runtime makes system calls of its own"
F="$P/small/smallfill"
mkdir -p memo.d
cp "$TOP/tests/progs/small/memo.d/sw_fill.conf" memo.d/
export MEMO_CONFIG="$T/memo.d"

# calls TAG K [PRELOAD...]: the system calls of a run of K calls, by name,
# counted, its writes to stdout left out (their number follows K)
calls() {
	local tag=$1 k=$2
	shift 2
	setarch -R strace -f -qq -o "trace.$tag" env LD_PRELOAD="$* $PRELOAD" "$F" 0 "$k" \
		>"$tag.out" 2>"$tag.err" || { cat "$tag.err"; fail "$tag: the run failed"; }
	sed -E 's/^[0-9]+ +//' "trace.$tag" | grep -v '^write(1,' | sed -E 's/\(.*//' |
		sort | uniq -c >"calls.$tag"
	head -n "$k" plain.out | cmp -s - "$tag.out" || fail "$tag: output differs from the plain run"
}

# compare A B WHAT: the same calls, or the difference shown
compare() {
	cmp -s "calls.$1" "calls.$2" || { diff "calls.$1" "calls.$2" >&2; fail "$3"; }
}

MEMO_DISABLE=1 "$F" 0 2000 >plain.out || fail "plain run"

note "hits from small2.mdb: 1000 and 2000 make the same system calls"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
under_memo "$F" 0 2000 >fill.out 2>fill.err || fail "the filling run"
same plain.out fill.out "the filling run"
[ -s cache/small2.mdb ] || fail "no small2.mdb"
expect_eq "$(find cache -name 'm1-*' | wc -l)" 0 "entry files (all small)"
calls h1000 1000
calls h2000 2000
compare h1000 h2000 "1000 more hits made system calls"
expect_eq "$(stat_of stats.jsonl sw_fill hits)" 2000 "hits of the 2000-call rerun"

note "two hours later (each hit marks its entry used): none either"
shift_clock="$P/small/libclockshift.so"
# the first run that late refreshes the identity cache's record (once)
CLOCKSHIFT=7200 calls late0 1000 "$shift_clock"
CLOCKSHIFT=7200 calls late1000 1000 "$shift_clock"
CLOCKSHIFT=7200 calls late2000 2000 "$shift_clock"
compare late1000 late2000 "1000 more hits on entries two hours old made system calls"
expect_eq "$(stat_of stats.jsonl sw_fill hits)" 2000 "hits of the later rerun"

note "a file per entry (small_store = no): the comparison sees its calls"
conf_cache dir="$T/files" stats="$T/stats-files.jsonl" small_store=no
under_memo "$F" 0 2000 >files.out 2>files.err || fail "the filling run, small_store = no"
calls f1000 1000
calls f2000 2000
cmp -s calls.f1000 calls.f2000 && fail "2000 hits from files made no more system calls than 1000"
exit 0
