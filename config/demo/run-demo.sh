#!/usr/bin/env bash
# make demo: builds the demo program, then runs it without libmemo's cache
# (an empty cache folder) and again with the cache filled by the first run,
# printing each run's wall time and libmemo's stats table.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${B:=$top/build}"
d="$B/demo"
mkdir -p "$d"
cc -O2 -fPIC -shared -o "$d/libsim.so" "$top/config/demo/sim.c" -lm
cc -O2 -o "$d/app" "$top/config/demo/app.c" -L"$d" -lsim -Wl,-rpath,"$d"
rm -rf "$d/memo.d"
cp -r "$top/config/demo/memo.d" "$d/memo.d"

# run NAME: one run of the demo; its output goes to $d/NAME.out and the
# terminal, its wall time (seconds) to $d/NAME.time.
run() {
	local start end
	start=$(date +%s.%N)
	"$B/memo" run -c "$d/memo.d" -- "$d/app" >"$d/$1.out"
	end=$(date +%s.%N)
	cat "$d/$1.out"
	python3 -c "print('%.3f' % ($end - $start))" >"$d/$1.time"
	echo "   wall time: $(cat "$d/$1.time") s"
}

echo "== run 1: empty cache, every call computes =="
run first
echo
echo "== run 2: a new process, results served from $d/memo.d/cache =="
run second
echo
if cmp -s "$d/first.out" "$d/second.out"; then same=yes; else same=NO; fi
python3 -c "print('outputs identical: $same; the second run was %.0fx faster' % ($(cat "$d/first.time") / max($(cat "$d/second.time"), 1e-6)))"
