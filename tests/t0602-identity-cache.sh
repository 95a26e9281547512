#!/usr/bin/env bash
# t0602: the identity cache (one file per function, named by build-id, the
# file's size and time, and address). A second process reads the identity
# instead of decoding; a file that does not verify (corrupted), or whose
# recorded import provider is not the one loaded now, is ignored and
# rewritten; another build at the same path with the same build-id (set by
# hand) is not taken for the old one; every way, the identity is the one
# computed from scratch.
source "$TOP/tests/lib.sh"

ID="$P/unit/identity_of"
[ -x "$ID" ] || fail "'$ID' is not built"
gcc -O2 -Wl,--build-id -o app "$TOP/tests/progs/identity/matrix.c" -lm || fail "build"

"$ID" app simulate >fresh || fail "identity_of without a cache"
mkdir cache
MEMO_LOG=debug "$ID" -c cache app simulate >first 2>first.err || fail "first run"
same fresh first "identity with an empty cache"
grep -q "identity read from" first.err && fail "first run read a cache that was empty"
n=$(ls cache | grep -c '\.id$')
[ "$n" -ge 1 ] || fail "no cache file written"
ls cache | grep -q tmp && fail "a temporary file was left in the cache"
file=$(ls cache/*.id | head -n 1)
for f in cache/*.id; do grep -q "^identity $(sed -n 's/.*identity=\([^ ]*\).*/\1/p' fresh)$" "$f" && file=$f; done
grep -q '^global simulate_calls$' "$file" || fail "the cache entry lost the globals simulate reads"

MEMO_LOG=debug "$ID" -c cache app simulate >second 2>second.err || fail "second run"
same fresh second "identity read from the cache"
grep -q "'simulate': identity read from" second.err || fail "second run did not use the cache"

# Corrupted: one digit of the identity changed, checksum left as is.
sed -i 's/^identity \(.\)/identity x/' "$file"
MEMO_LOG=debug "$ID" -c cache app simulate >third 2>third.err || fail "third run"
same fresh third "identity with a corrupted cache file"
grep -q "does not verify" third.err || fail "a corrupted cache file was not reported"
MEMO_LOG=debug "$ID" -c cache app simulate >/dev/null 2>fourth.err
grep -q "'simulate': identity read from" fourth.err || fail "the corrupted file was not rewritten"

# Stale: a provider build-id that is not the loaded one, correctly checksummed.
python3 - "$file" <<'PY'
import hashlib, re, sys
p = sys.argv[1]
body = open(p).read().split("check ")[0]
body, n = re.subn(r"^(import \S+) \S+$", r"\1 0000dead", body, count=1, flags=re.M)
assert n == 1, "no import line"
open(p, "w").write(body + "check " + hashlib.blake2b(body.encode(), digest_size=32).hexdigest() + "\n")
PY
MEMO_LOG=debug "$ID" -c cache app simulate >fifth 2>fifth.err || fail "fifth run"
same fresh fifth "identity with a stale provider in the cache"
grep -q "identity cache stale" fifth.err || fail "a changed provider was not noticed"
grep -q "'simulate': identity read from" fifth.err && fail "a stale cache entry was used"

# Another build at the same path, linked with the same build-id (set by
# hand, as some build systems do): its own identity, never the cached one.
bid=-Wl,--build-id=0x00112233445566778899aabbccddeeff00112233
gcc -O2 $bid -o app "$TOP/tests/progs/identity/matrix.c" -lm || fail "build with a fixed build-id"
"$ID" -c cache app simulate >/dev/null || fail "caching the fixed build-id's identity"
gcc -O2 $bid -DV_CONST -o other "$TOP/tests/progs/identity/matrix.c" -lm || fail "build V_CONST"
"$ID" other simulate >other.fresh || fail "identity_of V_CONST without a cache"
cmp -s fresh other.fresh && fail "V_CONST has the baseline's identity"
mv other app
MEMO_LOG=debug "$ID" -c cache app simulate >sixth 2>sixth.err || fail "sixth run"
same other.fresh sixth "the identity of another build with the same build-id"
true
