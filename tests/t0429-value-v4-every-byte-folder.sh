#!/usr/bin/env bash
# A value of format version 4 in the folder store (issue 17: without a
# secret its check is XXH3-128, 16 bytes and 16 zero ones; with secret_file
# the keyed BLAKE2b MAC): the entry is version 4, its check is the one
# tests/forge.py computes for the mode, and with any one of its bytes
# changed it is never served, plain and with a secret: the call is computed
# again, counted rejected, and the output is the plain run's. t0424 does
# the same through memcached.
source "$TOP/tests/lib.sh"
FORGE="$TOP/tests/forge.py"

# flip_each FILE OUT CMD...: for each byte of the entry FILE in turn, XOR it with 0x01 and run CMD under libmemo, its output appended to
# OUT; the entry's length printed at the end. CMD's run writes the entry
# again, whole: the next byte is changed in that one.
flip_each() {
	PRELOAD="$PRELOAD" python3 - "$@" <<'PY'
import os, subprocess, sys
path, out, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
env = dict(os.environ, LD_PRELOAD=os.environ["PRELOAD"])
at = 0
with open(out, "wb") as o:
    while True:
        v = bytearray(open(path, "rb").read())
        if at == len(v):
            break
        v[at] ^= 1
        with open(path, "wb") as f:
            f.write(v)
        run = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, timeout=20)
        if run.returncode:
            sys.exit("flip_each: byte %d changed: exit status %d" % (at, run.returncode))
        o.write(run.stdout)
        at += 1
print(at)
PY
}

mkdir memo.d
cp "$TOP/tests/progs/shapes/memo.d/dot.conf" memo.d/
export MEMO_CONFIG="$T/memo.d"
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"
head -c 32 /dev/urandom >secret && chmod 600 secret

for mode in plain mac; do
	rm -rf cache
	conf_cache dir="$T/cache" small_store=off stats="$T/$mode.jsonl"
	secret=()
	if [ $mode = mac ]; then
		echo "secret_file = $T/secret" >>memo.d/cache.conf
		secret=(--secret "$T/secret")
	fi
	under_memo "$bin" 1 >first.out 2>first.err || { cat first.err; fail "$mode: first run"; }
	same plain.out first.out "$mode: first run"
	# the program's two calls of dot: two entries; the first one's bytes changed
	entry=$(find cache -name 'm1-*' -type f | sort | head -n 1)
	[ -n "$entry" ] || fail "$mode: no entry in the folder"
	# version 4 (u16 at 4), and its check's last 16 bytes (at 72) zero
	# without a secret: XXH3-128's 16 bytes fill the field's first half
	expect_eq "$(od -An -tu2 -j4 -N2 "$entry" | tr -d ' ')" 4 "$mode: the entry's version"
	zero=$(od -An -tx1 -j72 -N16 "$entry" | tr -d ' \n')
	if [ $mode = plain ]; then
		expect_eq "$zero" "$(printf '0%.0s' {1..32})" "plain: the check's second half"
	else
		[ "$zero" != "$(printf '0%.0s' {1..32})" ] || fail "mac: the MAC's second half is zero"
	fi
	expect_eq "$(python3 "$FORGE" verify "folder:$T/cache" "${secret[@]}" | cut -d' ' -f2 | sort -u)" ok \
		"$mode: the check forge.py computes"
	reset_runs
	n=$(flip_each "$entry" runs.out "$bin" 1) || fail "$mode: the runs with a byte changed"
	[ "$n" -gt 88 ] || fail "$mode: an entry of $n bytes"
	note "$mode: each of the $n bytes of $(basename "$entry") changed in turn"
	for ((at = 0; at < n; at++)); do cat plain.out; done >expected.out
	same expected.out runs.out "$mode: the runs with a byte changed"
	# one stats line per run: each rejected one value, served the other
	each_run_rejected_one "$T/$mode.jsonl" dot "$n" || fail "$mode: a changed value was served"
	expect_eq "$(runs dot)" "$n" "$mode: bodies run, one a changed byte"
	# the last run wrote its result again: served, whole
	reset_runs
	under_memo "$bin" 1 >again.out 2>again.err || fail "$mode: run after"
	same plain.out again.out "$mode: run after"
	expect_eq "$(stat_of "$T/$mode.jsonl" dot hits)/$(runs dot)" 2/0 "$mode: hits after"
done
