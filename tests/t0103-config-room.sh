#!/usr/bin/env bash
# t0103: libmemo.so reads its config into room it has (src/config/config.h
# struct config_room, in its .lbss): a start whose config matches nothing
# maps no memory for it (strace: no anonymous mmap from the config folder's
# open on; there were two, the function entries and the names' pool), and a
# config of more functions than the room holds (64) moves them to a mapping
# whole: the ten libc functions past the room's 64 are each memoized, as
# they are alone. src/boot/preload.c, src/config/config.c, strpool.c.
source "$TOP/tests/lib.sh"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime maps memory of its own in the constructor's time"
command -v strace >/dev/null || skip "strace is not installed (tools/install-deps.sh test)"
export MEMO_CONFIG="$T/memo.d"

conf_cache dir="$T/cache" stats=off
conf_function no_such_symbol 'int no_such_symbol(int x)'
MEMO_LOG=error strace -f -o trace -e trace=openat,mmap -E LD_PRELOAD="$PRELOAD" /bin/true ||
	fail "true under strace failed"
grep -q "openat(.*\"$T/memo.d\"" trace || fail "the config folder's open is not in the trace"
expect_eq "$(sed -n "\\|openat(.*\"$T/memo.d\"|,\$p" trace | grep mmap | grep MAP_ANONYMOUS |
	grep -vc MAP_FIXED)" 0 "anonymous mappings made while reading the config and deciding"

# 64 [function] entries sort before the ten libc functions (a_NN < abs).
rm "$T/memo.d/no_such_symbol.conf"
conf_ten_libc
MEMO_LOG=info LD_PRELOAD="$PRELOAD" /bin/true 2>alone.err || fail "true with ten failed"
expect_eq "$(memoized_in alone.err)" 10 "memoized with the ten alone"
for i in $(seq -w 0 63); do
	conf_function "a_$i" "double a_$i(const double x[n], long n)"
done
MEMO_LOG=info LD_PRELOAD="$PRELOAD" /bin/true 2>room.err || fail "true with 74 failed"
expect_eq "$(memoized_in room.err)" 10 "memoized with 64 others before them"
grep -q "cannot be memoized\|error" room.err && { cat room.err; fail "a function refused or an error"; }
grep "' memoized" alone.err | sort >a.txt
grep "' memoized" room.err | sort >b.txt
same a.txt b.txt "the memoized lines, alone vs after 64 others"
exit 0
