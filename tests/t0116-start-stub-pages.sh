#!/usr/bin/env bash
# t0116: start-up's entry patches share their stub pages (src/patch/inline.c,
# inline_batch_begin/end): ten libc functions found (bench/run's "ten") take
# 2 anonymous read+exec pages, eight hooks to a page (four, in areas of
# 1 KiB, took 3), not one page each; no
# page is writable and executable (each became read+exec once, whole); and
# every one of the ten is entry-patched and catches its calls: python's
# ctypes calls nine of them (by dlsym: only an entry patch sees those), with
# output equal to the plain run and each call counted once.
source "$TOP/tests/lib.sh"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime maps pages of its own"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
head -c 4 "$PY" | grep -q ELF || skip "no python3 interpreter binary"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_ten_libc

note "the stub pages"
under_memo cat /proc/self/maps >maps 2>err || { cat err; fail "cat failed"; }
said err && { cat err; fail "cat: something was said"; }
# anonymous read+exec mappings are the stub pages (adjacent ones: one line)
pages=$(python3 - maps <<'PY'
import sys
n = 0
for line in open(sys.argv[1]):
    f = line.split()
    if f[1] == "r-xp" and len(f) == 5:
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        n += (hi - lo) // 4096
print(n)
PY
)
expect_eq "$pages" 2 "anonymous read+exec pages for ten hooks"
awk '$2 ~ /^rwx/' maps | grep . && fail "a page is writable and executable (above)"

note "each of the ten patched, and catching its calls"
MEMO_LOG=info under_memo cat /dev/null 2>info.err
while IFS=: read -r name proto; do
	grep -q "'$name' memoized" info.err || { cat info.err; fail "'$name' was not memoized"; }
done <<<"$TEN_LIBC"
grep -q "not entry-patched" info.err && { cat info.err; fail "a function was not entry-patched"; }
cat >calls.py <<'PY'
import ctypes
c = ctypes.CDLL(None)
c.labs.restype = c.llabs.restype = ctypes.c_long
c.labs.argtypes = c.llabs.argtypes = c.ffsl.argtypes = c.ffsll.argtypes = [ctypes.c_long]
print(c.abs(-7), c.labs(-8), c.llabs(-9), c.ffs(8), c.ffsl(1 << 40), c.ffsll(1 << 50),
      c.toupper(ord("a")), c.tolower(ord("B")), c.strverscmp(b"a9", b"a10"))
PY
"$PY" calls.py >plain.out || fail "the plain run"
under_memo "$PY" calls.py >memo.out 2>memo.err || { cat memo.err; fail "the run under libmemo"; }
same plain.out memo.out "ctypes calls"
# labs and llabs are one function in glibc, as ffsl and ffsll: a call to
# either may be counted to the other; nine calls in all, each caught once
calls=0
for f in abs labs llabs ffs ffsl ffsll toupper tolower strverscmp; do
	calls=$((calls + $(stat_sum stats.jsonl "$f" calls)))
done
expect_eq "$calls" 9 "calls caught"
exit 0
