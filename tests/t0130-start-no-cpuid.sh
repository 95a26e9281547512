#!/usr/bin/env bash
# t0130: libmemo-engine.so executes no CPUID in a ten-function start-up and
# a program's memoized calls: each CPUID traps to the hypervisor in a VM
# (~7 us on this project's). libb2 asked the CPU twice at a process's first
# BLAKE2b (its dispatch); src/base/b2.c picks libb2's code from glibc's
# record of the CPU instead. Counted by gdb, a breakpoint on every cpuid
# instruction in the engine's code.
source "$TOP/tests/lib.sh"
command -v gdb >/dev/null || skip "gdb is not installed (tools/install-deps.sh test)"
engine="$(dirname "$PRELOAD")/libmemo-engine.so"
objdump -d --no-show-raw-insn "$engine" | awk '/\tcpuid/ { sub(":", "", $1); print $1 }' >cpuids
[ -s cpuids ] || skip "no cpuid instruction in the engine at all"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
conf_ten_libc
cp "$TOP/tests/progs/shapes/memo.d/dot.conf" "$MEMO_CONFIG/"
engine_count_gdb cpuids CPUIDS >count.gdb
for run in first again; do	# a miss, then a hit of each call
	gdb -q -batch -x count.gdb --args "$P/shapes/shapes-lazy" >"$run.gdb" 2>&1 || true
	grep -q '^CPUIDS ' "$run.gdb" || { tail -20 "$run.gdb"; fail "$run: gdb did not run it to its end"; }
	expect_eq "$(sed -n 's/^CPUIDS //p' "$run.gdb")" 0 "$run: cpuid instructions the engine executed"
done
exit 0
