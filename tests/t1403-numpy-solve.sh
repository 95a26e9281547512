#!/usr/bin/env bash
# Owns (issue 15): numpy.linalg.solve memoized at LAPACK's dgesv_, with
# Debian's python3-numpy: systems of two sizes, output identical to the
# unmemoized run, hits on rerun. numpy's dgesv_ is defined by more than one
# loaded library (liblapack.so.3 and libopenblas.so.0); `object =` names the
# one numpy binds to, as the dynamic linker says (LD_DEBUG=bindings).
source "$TOP/tests/lib.sh"

PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || skip "python3-numpy is not installed"
cat >solve.py <<'PY'
import numpy as np

for n in (3, 40, 3, 40):
    a = np.fromfunction(lambda i, j: np.where(i == j, 10.0 + i, ((i + 2 * j) % 7) / 4.0), (n, n))
    b = np.arange(n, dtype=float) + 1
    x = np.linalg.solve(a, b)
    print(n, ' '.join(repr(float(v)) for v in x))
PY

LD_DEBUG=bindings "$PY" -c 'import numpy as np; np.linalg.solve(np.eye(2), np.ones(2))' 2>bindings.txt >/dev/null ||
	fail "numpy without libmemo"
lib=$(sed -n "s/.*_umath_linalg.* to \([^ ]*\) .*symbol \`dgesv_'.*/\1/p" bindings.txt | head -n 1)
[ -n "$lib" ] || fail "cannot tell which library numpy's dgesv_ binds to"
note "numpy's dgesv_ is in $lib"

conf_function dgesv_ 'void dgesv_(const int *n, const int *nrhs, inout double a[lda * n], const int *lda, out int ipiv[n], inout double b[ldb * nrhs], const int *ldb, out int info[1])' \
	object="$(basename "$lib")"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
export MEMO_CONFIG="$T/memo.d"

"$PY" solve.py >plain.out || fail "plain run"
under_memo "$PY" solve.py >memo1.out 2>memo1.err || { cat memo1.err; fail "first run"; }
same plain.out memo1.out "first run"
expect_eq "$(stat_of stats.jsonl dgesv_ calls)" 4 "first run: numpy's calls caught"
expect_eq "$(stat_of stats.jsonl dgesv_ misses)" 2 "first run: two sizes computed"
expect_eq "$(stat_of stats.jsonl dgesv_ hits)" 2 "first run: their repeats hit"
under_memo "$PY" solve.py >memo2.out 2>memo2.err || { cat memo2.err; fail "second run"; }
same plain.out memo2.out "second run"
expect_eq "$(stat_of stats.jsonl dgesv_ hits)" 4 "second run: every call hits"
exit 0
