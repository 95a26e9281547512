#!/usr/bin/env bash
# Owns: a value larger than the thread's result buffer arriving inside a
# signal handler (src/store/store_memcached.c: mc_mem_realloc holds it
# back, libmemcached's error record comes from the spare area, mc_fetch
# drops the connection, which the next request makes again there). The
# entries of the handler's calls are overwritten with 6,000 bytes of junk
# (memcached's own protocol; their keys found with `lru_crawler metadump`,
# those of the threads' first calls left alone), so that each handler call
# reads a value larger than any of the prototype's. The old build aborted
# (realloc inside the handler). Now each run's output is the one without
# libmemo: the junk is never served, the calls compute (counted as
# bypassed), and their results are stored again, so the junk is written
# anew before each run.
source "$TOP/tests/lib.sh"
command -v memcached >/dev/null || skip "no memcached"

G=$P/handler/grow
conf_function fill 'void fill(long n, long seed, out double a[n])' mechanism=inline time_threshold=0
export MEMO_CONFIG="$T/memo.d"
start_memcached
# timeout_ms: a loaded machine's slow reply is not what is tested here
conf_cache servers="127.0.0.1:$MC_PORT" timeout_ms=1000 dir=off stats="$T/stats.jsonl"

# mc keys: every key memcached holds; mc junk KEY...: 6,000 bytes under each
mc() {
	python3 - "$MC_PORT" "$@" <<'PY'
import socket, sys
port, what, keys = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
s = socket.create_connection(("127.0.0.1", port))
def reply(end):
    buf = b""
    while not buf.endswith(end):
        buf += s.recv(65536)
    return buf
if what == "keys":
    s.sendall(b"lru_crawler metadump all\r\n")
    for line in reply(b"END\r\n").decode().splitlines():
        if line.startswith("key="):
            print(line.split()[0][4:])
else:
    for k in keys:
        s.sendall(b"set %s 0 0 6000\r\n%s\r\n" % (k.encode(), b"j" * 6000))
        reply(b"\r\n")
PY
}

under_memo $G firsts >/dev/null || fail "the first calls' values"
mc keys | sort >firsts.keys
under_memo $G store >/dev/null || fail "storing run"
mc keys | sort | comm -23 - firsts.keys >handler.keys
[ "$(wc -l <handler.keys)" = 56 ] || fail "expected 56 keys of the handler's calls, found $(wc -l <handler.keys)"
rm -f stats.jsonl
for i in 1 2 3; do
	for how in main threads; do
		mc junk $(cat handler.keys)
		same_quietly "$how $i" $G $how
	done
done
[ "$(stat_sum stats.jsonl fill bypassed)" -gt 0 ] || fail "no value was held back"
expect_eq "$(stat_sum stats.jsonl fill errors)" 0 "errors (the server answered every request)"
exit 0
