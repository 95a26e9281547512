#!/usr/bin/env bash
# Owns (issue 15): LAPACK through Debian's liblapack.so.3, configured as
# README's "Fortran, C++ and structs" writes it: dgesv_ for two sizes, and
# dsyev_ (two CHARACTER arguments: two trailing size_t) whose workspace
# query (lwork = -1) runs unmemoized while the real call is memoized.
# Output identical to the unmemoized run; the second process's calls hit.
source "$TOP/tests/lib.sh"

[ -x "$P/lapack/lapack-main" ] || skip "liblapack3 is not installed (tools/install-deps.sh installs it)"

conf_function dgesv_ 'void dgesv_(const int *n, const int *nrhs, inout double a[lda * n], const int *lda, out int ipiv[n], inout double b[ldb * nrhs], const int *ldb, out int info[1])'
conf_function dsyev_ 'void dsyev_(const char jobz[1], const char uplo[1], const int *n, inout double a[lda * n], const int *lda, out double w[n], out double work[lwork], const int *lwork, out int info[1], size_t jobz_len, size_t uplo_len)'
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

MEMO_DISABLE=1 "$P/lapack/lapack-main" >plain.out || fail "plain run"
under_memo "$P/lapack/lapack-main" >memo1.out 2>memo1.err || { cat memo1.err; fail "first run"; }
same plain.out memo1.out "first run"
grep -q "cannot be memoized" memo1.err && { cat memo1.err; fail "a config was refused"; }
# dgesv_: 2 sizes, each twice; dsyev_: 2 sizes, a query and a call each, twice
expect_eq "$(stat_of stats.jsonl dgesv_ calls)" 4 "dgesv_ caught"
expect_eq "$(stat_of stats.jsonl dgesv_ hits)" 2 "dgesv_'s repeats hit"
expect_eq "$(stat_of stats.jsonl dsyev_ calls)" 8 "dsyev_ caught"
expect_eq "$(stat_of stats.jsonl dsyev_ bypassed)" 4 "dsyev_'s queries run unmemoized"
expect_eq "$(stat_of stats.jsonl dsyev_ hits)" 2 "dsyev_'s repeats hit"

under_memo "$P/lapack/lapack-main" >memo2.out 2>memo2.err || { cat memo2.err; fail "second run"; }
same plain.out memo2.out "second run"
expect_eq "$(stat_of stats.jsonl dgesv_ hits)" 4 "second run: every dgesv_ hits"
expect_eq "$(stat_of stats.jsonl dsyev_ hits)" 4 "second run: every real dsyev_ hits"
expect_eq "$(stat_of stats.jsonl dsyev_ misses)" 0 "second run: no dsyev_ computed"
exit 0
