#!/usr/bin/env bash
# Owns: the small store's format 1 (small.mdb: one tree keyed by the key
# text, the version before small2.mdb; src/store/small.h) is not read: the
# folder removes it, and its lock file, at its first open, and an entry only
# it holds is a miss, computed again, never served. The file is made here
# as format 1 wrote it (mdb_load, from lmdb-utils: skipped, saying so,
# without it), holding a valid value of key k2 (copied from small2.mdb,
# then deleted there), which the old build served.
# Calls $P/unit/store_folder -S.
source "$TOP/tests/lib.sh"
command -v mdb_load >/dev/null && command -v mdb_dump >/dev/null ||
	skip "mdb_load/mdb_dump (lmdb-utils) not installed"
S="$P/unit/store_folder"
c="$T/cache"
"$S" -S "$c" set k1 100 1 >/dev/null 2>&1 || fail "set k1"
"$S" -S "$c" set k2 100 2 >/dev/null 2>&1 || fail "set k2"
text=$("$S" "$c" text k2)
hex=${text#m1-}
# "used": data = the 32-byte hash, then the value
value=$(mdb_dump -n -s used "$c/small2.mdb" | sed -n 's/^ //p' | grep "^$hex" | cut -c65-)
[ -n "$value" ] || fail "k2's value not found in small2.mdb"
"$S" -S "$c" del k2 2>/dev/null || fail "del k2"
{
	printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n'
	printf ' %s\n' "$(printf %s "$text" | od -An -tx1 | tr -d ' \n')"
	printf ' %s%s\n' 0000000000000000 "$value"	# format 1: an 8-byte stamp, the value
	printf 'DATA=END\n'
} >old.dump
mdb_load -n -f old.dump "$c/small.mdb" || fail "mdb_load"
: >"$c/small.mdb-lock"

"$S" -S "$c" get k2 >out 2>err; rc=$?
expect_eq "$rc" 1 "get k2, held only by small.mdb (0: served from the old format)"
[ -e "$c/small.mdb" ] && fail "small.mdb is still there"
[ -e "$c/small.mdb-lock" ] && fail "small.mdb-lock is still there"
expect_eq "$("$S" -S "$c" get k1 2>/dev/null)" "hit 100 1" "k1, in small2.mdb"
exit 0
