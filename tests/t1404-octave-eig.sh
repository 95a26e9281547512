#!/usr/bin/env bash
# Owns (issue 15): Octave's eig() of a symmetric matrix memoized at LAPACK's
# dsyev_, with Debian's octave: two sizes, each twice. Octave asks the
# workspace first (lwork = -1: unmemoized) then calls; output identical to
# the unmemoized run, hits on rerun. `object =` names the library Octave's
# dsyev_ binds to (LD_DEBUG=bindings), as several loaded ones define it.
source "$TOP/tests/lib.sh"

command -v octave-cli >/dev/null || skip "octave is not installed"
cat >symeig.m <<'M'
for n = [4 30 4 30]
  A = zeros(n);
  for i = 1:n
    for j = 1:n
      A(i,j) = (i == j) * (10 + i) + mod(i + j, 5) / 4;
    end
  end
  [V, D] = eig(A);
  printf("%d %s\n", n, sprintf(" %.17g", diag(D)));
  printf("  %s\n", sprintf(" %.17g", abs(V(:, 1))));
end
M
octave() { "$@" octave-cli -q -f symeig.m; }

octave env LD_DEBUG=bindings >/dev/null 2>bindings.txt || fail "octave without libmemo"
lib=$(sed -n "s/.*liboctave.* to \([^ ]*\) .*symbol \`dsyev_'.*/\1/p" bindings.txt | head -n 1)
[ -n "$lib" ] || fail "cannot tell which library Octave's dsyev_ binds to"
note "Octave's dsyev_ is in $lib"

conf_function dsyev_ 'void dsyev_(const char jobz[1], const char uplo[1], const int *n, inout double a[lda * n], const int *lda, out double w[n], out double work[lwork], const int *lwork, out int info[1], size_t jobz_len, size_t uplo_len)' \
	object="$(basename "$lib")"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

octave env >plain.out 2>plain.err || { cat plain.err; fail "plain run"; }
octave under_memo >memo1.out 2>memo1.err || { cat memo1.err; fail "first run"; }
same plain.out memo1.out "first run"
expect_eq "$(stat_of stats.jsonl dsyev_ calls)" 8 "first run: a query and a call per eig()"
expect_eq "$(stat_of stats.jsonl dsyev_ bypassed)" 4 "first run: the queries unmemoized"
expect_eq "$(stat_of stats.jsonl dsyev_ misses)" 2 "first run: two sizes computed"
octave under_memo >memo2.out 2>memo2.err || { cat memo2.err; fail "second run"; }
same plain.out memo2.out "second run"
expect_eq "$(stat_of stats.jsonl dsyev_ hits)" 4 "second run: every real call hits"
exit 0
