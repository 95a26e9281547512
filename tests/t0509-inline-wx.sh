#!/usr/bin/env bash
# Owns: W^X. No page of a memoizing process is left writable and executable:
# an entry-patched function's libffi closure is written into its stub page,
# a GOT-only function's into a page of its own, each before the page becomes
# read+exec (libffi's own allocator would map a read+write+exec page). The
# same for a function entry-patched at its dlopen. The process reads its own
# /proc/self/maps once every hook is in place and has served a call.
source "$TOP/tests/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
head -c 4 "$PY" | grep -q ELF || skip "no python3 interpreter binary"

mkdir memo.d
conf() { printf '[function %s]\nprototype = %s\nmechanism = %s\n' "$1" "$2" "$3" >"memo.d/$1.conf"; }
conf abs 'int abs(int j)' inline
conf labs 'long labs(long j)' got
conf inl_late 'long inl_late(long x)' inline
printf '[cache]\ndir = %s\nstats = %s\n' "$T/cache" "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"

# labs is called through ctypes' libc handle (dlsym: the function itself, no
# GOT slot), so only abs and inl_late count calls through their hooks.
cat >wx.py <<PY
import ctypes
libc = ctypes.CDLL(None)
late = ctypes.CDLL("$P/inline/libreach2.so")
late.inl_late.restype = ctypes.c_long
late.inl_late.argtypes = [ctypes.c_long]
print(libc.abs(-7), late.inl_late(5))
with open("/proc/self/maps") as f:
    for line in f:
        if line.split()[1][1:3] == "wx":
            print("writable and executable:", line.strip())
PY

MEMO_DISABLE=1 "$PY" wx.py >plain.out || fail "python3 without libmemo"
grep "writable and executable" plain.out && skip "the interpreter alone maps a writable and executable page"
MEMO_LOG=info under_memo "$PY" wx.py >out 2>err || { cat err; fail "python3 under libmemo"; }
same plain.out out "the process's maps"
for f in abs labs inl_late; do
	grep -q "^libmemo: '$f' memoized" err || { cat err; fail "'$f' not memoized"; }
done
grep -q "not entry-patched" err && { cat err; fail "a function meant for entry patching was not patched"; }
expect_eq "$(stat_of stats.jsonl abs calls)" 1 "calls of abs through its entry patch"
expect_eq "$(stat_of stats.jsonl inl_late calls)" 1 "calls of inl_late through its entry patch at dlopen"
exit 0
