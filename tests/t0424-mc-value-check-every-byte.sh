# A remote hit's value check (issue 17 made its BLAKE2b start a copy of a
# state made once, keyed or not): a real entry with any one of its bytes
# changed is never served, with a plain check and with secret_file's MAC;
# the call is computed again, counted rejected, and the output is the
# plain run's. A value sealed under another secret is refused too.
source "$TOP/tests/lib.sh"
FORGE="$TOP/tests/forge.py"

# flip_each PORT KEY OUT CMD...: for each byte of KEY's value in turn, XOR
# it with 0x01 (the item's flags kept) and run CMD under libmemo, its
# output appended to OUT; the value's length printed at the end. CMD's run
# stores its result again, whole: the next byte is changed in that one.
flip_each() {
	PRELOAD="$PRELOAD" MCRAW_DIR="$TOP/tests/progs/mc" python3 - "$@" <<'PY'
import os, subprocess, sys
sys.path.insert(0, os.environ["MCRAW_DIR"])
from mcraw import talk
port, key, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
cmd = sys.argv[4:]
env = dict(os.environ, LD_PRELOAD=os.environ["PRELOAD"])
at = 0
with open(out, "wb") as o:
    while True:
        head, _, rest = talk(port, b"get " + key + b"\r\n", [b"END\r\n"]).partition(b"\r\n")
        if not head.startswith(b"VALUE"):
            sys.exit("flip_each: no value under %s" % key.decode())
        _, _, flags, n = head.split()
        v = bytearray(rest[:int(n)])
        if at == len(v):
            break
        v[at] ^= 1
        r = talk(port, b"set %s %s 0 %d\r\n" % (key, flags, len(v)) + bytes(v) + b"\r\n", [b"\r\n"])
        if r != b"STORED\r\n":
            sys.exit("flip_each: set answered %r" % r)
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
head -c 32 /dev/urandom >other && chmod 600 other

for mode in plain mac; do
	start_memcached
	conf_cache dir=off servers="127.0.0.1:$MC_PORT" stats="$T/$mode.jsonl"
	[ $mode = mac ] && echo "secret_file = $T/secret" >>memo.d/cache.conf
	under_memo "$bin" 1 >first.out 2>first.err || { cat first.err; fail "$mode: first run"; }
	same plain.out first.out "$mode: first run"
	key=$("$TOP/tests/progs/mc/mcraw.py" "$MC_PORT" keys | grep '^m1-' | head -n 1)
	[ -n "$key" ] || fail "$mode: no entry on the server"
	reset_runs
	n=$(flip_each "$MC_PORT" "$key" runs.out "$bin" 1) || fail "$mode: the runs with a byte changed"
	[ "$n" -gt 88 ] || fail "$mode: a value of $n bytes"
	note "$mode: each of the $n bytes of $key changed in turn"
	for ((at = 0; at < n; at++)); do cat plain.out; done >expected.out
	same expected.out runs.out "$mode: the runs with a byte changed"
	# one stats line per run: each rejected one value, served the other
	each_run_rejected_one "$T/$mode.jsonl" dot "$n" || fail "$mode: a changed value was served"
	expect_eq "$(runs dot)" "$n" "$mode: bodies run, one a changed byte"
	# the last run stored its result again: served, whole
	reset_runs
	under_memo "$bin" 1 >again.out 2>again.err || fail "$mode: run after"
	same plain.out again.out "$mode: run after"
	expect_eq "$(stat_of "$T/$mode.jsonl" dot hits)/$(runs dot)" 2/0 "$mode: hits after"
	if [ $mode = mac ]; then
		python3 "$FORGE" rewrite "memcached:$MC_PORT" xor --secret other >/dev/null || fail "forge"
		reset_runs
		under_memo "$bin" 1 >other.out 2>other.err || fail "another secret's run"
		same plain.out other.out "values sealed under another secret"
		expect_eq "$(stat_of "$T/$mode.jsonl" dot rejected)/$(runs dot)" 2/2 \
			"another secret: rejected/bodies run"
	fi
	stop_pid "$MC_PID"
done
