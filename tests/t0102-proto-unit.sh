#!/usr/bin/env bash
# proto.c's unit tests (tests/unit/proto_check.c): len_eval's arithmetic and
# its refusals (negative, overflow, division by zero, a size_t above
# INT64_MAX), and proto_canonical's stability (long is int64_t, names and
# spaces are free; a changed length, kind, type or ignored argument is not),
# and proto_parse's refusal of a constant divisor of 0 at its '/'.
source "$TOP/tests/lib.sh"

"$P/unit/proto_check" >out 2>err || { cat err >&2; fail "proto_check failed"; }
grep -qx 'ok [0-9]*' out || fail "proto_check printed '$(cat out)'"
note "$(cat out)"

# The canonical text of README.md's example ("Configure"), as the key hashes it.
"$P/unit/proto_check" 'double simulate(int seed, const double params[n], size_t n, long job_id)' >out
echo 'proto1 f64 (i32, in f64[$2], u64, i64)' >want
same want out "canonical text"
exit 0
