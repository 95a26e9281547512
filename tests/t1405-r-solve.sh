#!/usr/bin/env bash
# Owns (issue 15): R's solve() memoized at LAPACK's dgesv_, with Debian's
# r-base-core: systems of two sizes, each twice; output identical to the
# unmemoized run, hits on rerun. R binds dgesv_ to another library than
# numpy does (libopenblas.so.0, LD_DEBUG=bindings says which); `object =`
# names its file, symlinks resolved, which every libmemo matches.
source "$TOP/tests/lib.sh"

command -v Rscript >/dev/null || skip "r-base-core is not installed"
cat >solve.R <<'R'
for (n in c(3, 40, 3, 40)) {
  a <- outer(1:n, 1:n, function(i, j) ifelse(i == j, 10 + i, ((i + 2 * j) %% 7) / 4))
  x <- solve(a, as.numeric(1:n))
  cat(n, sprintf("%.17g", x), "\n")
}
R
rscript() { "$@" Rscript --vanilla solve.R; }

rscript env LD_DEBUG=bindings >/dev/null 2>bindings.txt || fail "R without libmemo"
lib=$(sed -n "s/.*lapack\.so .* to \([^ ]*\) .*symbol \`dgesv_'.*/\1/p" bindings.txt | head -n 1)
[ -n "$lib" ] || fail "cannot tell which library R's dgesv_ binds to"
note "R's dgesv_ is in $lib ($(readlink -f "$lib"))"

conf_function dgesv_ 'void dgesv_(const int *n, const int *nrhs, inout double a[lda * n], const int *lda, out int ipiv[n], inout double b[ldb * nrhs], const int *ldb, out int info[1])' \
	object="$(basename "$(readlink -f "$lib")")"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

rscript env >plain.out 2>plain.err || { cat plain.err; fail "plain run"; }
rscript under_memo >memo1.out 2>memo1.err || { cat memo1.err; fail "first run"; }
same plain.out memo1.out "first run"
expect_eq "$(stat_of stats.jsonl dgesv_ calls)" 4 "first run: R's calls caught"
expect_eq "$(stat_of stats.jsonl dgesv_ misses)" 2 "first run: two sizes computed"
rscript under_memo >memo2.out 2>memo2.err || { cat memo2.err; fail "second run"; }
same plain.out memo2.out "second run"
expect_eq "$(stat_of stats.jsonl dgesv_ hits)" 4 "second run: every call hits"
exit 0
