#!/usr/bin/env bash
# Owns: gets/cas of the folder store (the repeated-evaluations protocol):
# 4 processes each doing 100 gets→increment→cas loops on one counter entry
# lose no update. Calls $P/unit/store_folder.
source "$TOP/tests/lib.sh"
S="$P/unit/store_folder"
c="$T/cache"

note "one process: cas creates, then increments"
"$S" "$c" count single 5 2>/dev/null || fail "count"
expect_eq "$("$S" "$c" get single 2>/dev/null)" "hit 8 5" "counter after 5 increments"

note "4 processes x 100 increments"
pids=()
for w in 0 1 2 3; do
	"$S" "$c" count shared 100 2>"$T/count.$w" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { cat "$T/count.$i" >&2; fail "counter process $i failed"; }
done
expect_eq "$("$S" "$c" get shared 2>/dev/null)" "hit 8 400" "counter after 4 x 100 increments"
[ -z "$(find "$c" -name '.t.*')" ] || fail "temp files left behind"
exit 0
