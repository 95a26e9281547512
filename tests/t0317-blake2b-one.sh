#!/usr/bin/env bash
# Owns: blake2b_one_final (src/store/blake2b_one.c), through its unit
# driver: the end of a key's hash and of a value's check, with AVX-512
# where the CPU has it (issue 17: three compressions were most of a small
# folder hit's own time), gives libb2's digests for every length, keyed or
# not, from a settled prefix, and for every digest length; so keys and
# checks are those of the builds before it (an entry they wrote still hits).
source "$TOP/tests/lib.sh"

"$P/unit/blake2b_one" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "blake2b_one_final"; }
cat "$T/out"
grep -qx 'ok (0 failures, 701 lengths, \(AVX-512\|libb2.s\))' "$T/out" || fail "blake2b_one driver did not finish"
