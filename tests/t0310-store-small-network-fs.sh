#!/usr/bin/env bash
# Owns: a folder on a network or user-space filesystem (NFS, CIFS, 9p,
# FUSE...: statfs magic) keeps one file per entry, since LMDB's locks do not
# reach other nodes (small_fs_local in src/store/small.c; store_folder_open
# says so once). NFS cannot be mounted here: the decision is checked on the
# magic numbers ($P/unit/small_fs); and a folder on the local filesystem
# says nothing and gets small2.mdb.
source "$TOP/tests/lib.sh"
"$P/unit/small_fs" || fail "small_fs_local's verdicts"
"$P/unit/store_folder" -S "$T/cache" set k 100 1 >/dev/null 2>err || { cat err; fail "set"; }
grep -q "network" err && { cat err; fail "a local folder was taken for a network one"; }
[ -s "$T/cache/small2.mdb" ] || fail "no small2.mdb on a local filesystem"
exit 0
