#!/usr/bin/env bash
# Owns (issue 15): a gfortran kernel (tests/progs/fortran/fkern.f90), every
# argument by reference, called from C in Fortran's convention, memoized
# with a config written as its arguments are: scalars by reference
# (`const int *n`) named in lengths (`a[lda * m]`), a CHARACTER as
# `const char job[1]` with its hidden length as a trailing size_t, `out int
# info[1]`, and the workspace query (lwork = -1) run unmemoized. Several
# sizes; output identical to the unmemoized run; hits on rerun. The debug
# info gfortran writes (dummy arguments as plain scalars) does not refuse
# the correct config.
source "$TOP/tests/lib.sh"

command -v gfortran >/dev/null || skip "gfortran is not installed (tools/install-deps.sh installs it)"
F="$P/fortran"
[ -x "$F/fkern-main" ] || fail "tests/Makefile did not build $F/fkern-main"

conf_function fkern_ 'void fkern_(const char job[1], const int *n, const int *m, const double a[lda * m], const int *lda, const double *tol, out double r[n], out double work[lwork], const int *lwork, out int info[1], size_t job_len)'
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$F/fkern-main" 2 >plain.out || fail "plain run"
reset_runs
"$F/fkern-main" 2 >bare.out || fail "run without libmemo"
expect_eq "$(runs fkern)" 24 "without libmemo, every call runs: 3 sizes x 4 calls x 2 rounds"
same plain.out bare.out "MEMO_DISABLE"

# First run: per size, the query runs every time; 'S', 'M' once each.
reset_runs
under_memo "$F/fkern-main" 2 >memo1.out 2>memo1.err || { cat memo1.err; fail "first run"; }
same plain.out memo1.out "first run under libmemo"
expect_eq "$(runs fkern)" 12 "3 sizes: 2 queries, 'S' and 'M' once"
expect_eq "$(stat_of stats.jsonl fkern_ hits)" 12 "the second 'S' and the second round hit"
expect_eq "$(stat_of stats.jsonl fkern_ bypassed)" 6 "queries are not memoized"
grep -q "cannot be memoized" memo1.err && { cat memo1.err; fail "the correct config was refused"; }
expect_eq "$(grep -c "'fkern_': an array length is negative" memo1.err)" 1 "the query said once"

# Second run: only the queries run.
reset_runs
under_memo "$F/fkern-main" 2 >memo2.out 2>memo2.err || { cat memo2.err; fail "second run"; }
same plain.out memo2.out "second run under libmemo"
expect_eq "$(runs fkern)" 6 "only the queries run"
expect_eq "$(stat_of stats.jsonl fkern_ hits)" 18 "every other call hits"

# The same config, checked by `memo check` against the program.
"$B/memo" check -c "$T/memo.d" "$F/fkern-main" >check.out 2>&1 || { cat check.out; fail "memo check refused it"; }
grep -q "prototype not checked: .* describes a Fortran function" check.out || { cat check.out; fail "memo check does not say why it was not compared"; }

# memo inspect and memo init say why they suggest nothing, and where to look.
"$B/memo" inspect "$F/libfkern.so" fkern_ >inspect.out 2>&1 || { cat inspect.out; fail "memo inspect"; }
grep -q "prototype: .* describes a Fortran function.*README \"Fortran, C++ and structs\"" inspect.out ||
	{ cat inspect.out; fail "memo inspect does not say it is Fortran"; }
"$B/memo" init "$F/libfkern.so" fkern_ -o init.d >init.out 2>&1 && fail "memo init wrote a Fortran prototype"
grep -q "describes a Fortran function.*by hand" init.out || { cat init.out; fail "memo init does not say why"; }
exit 0
