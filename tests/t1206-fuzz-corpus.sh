#!/usr/bin/env bash
# Owns: the fuzz corpus as regression tests. Each libFuzzer target of
# tests/fuzz/ (config loader, prototype parser, value decoder) is built by the
# suite around a plain main (tests/fuzz/replay.c) and run over every seed and
# every past crash in tests/fuzz/corpus/NAME/: no crash, no failed property,
# and under SAN=1 no ASan or UBSan report. Fuzzing itself is `make fuzz-run`.
source "$TOP/tests/lib.sh"

for name in config proto value; do
	corpus="$TOP/tests/fuzz/corpus/$name"
	n=$(find "$corpus" -type f | wc -l)
	[ "$n" -ge 10 ] || fail "$name: only $n seeds in $corpus"
	find "$corpus" -type f -print0 | sort -z |
		xargs -0 "$P/fuzz/replay-$name" >"$name.out" 2>"$name.err" ||
		{ tail -n 30 "$name.err"; fail "$name: a corpus input failed"; }
	grep -E 'ERROR: AddressSanitizer|runtime error' "$name.err" && fail "$name: sanitizer report"
	note "$name: $n inputs"
done
true
