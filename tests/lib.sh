# Sourced by every tests/tNNNN-*.sh. Gives each test its own temporary folder
# $T (removed at exit, with every process the test registered killed), and the
# helpers below. Tests check behaviour (outputs, counted body runs, stats),
# never timings.
set -u
set -o pipefail
: "${B:?set B to the build folder}"
: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
P="$B/tests"			# built test programs (tests/Makefile)
T=$(mktemp -d "${TMPDIR:-/tmp}/memo-test.XXXXXX")
_pids=()
_cleanup() {
	local p
	for p in "${_pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap _cleanup EXIT
cd "$T" || exit 1

# Preload line: under SAN=1 the ASan runtime must come first.
if [ "${SAN:-0}" = 1 ]; then
	PRELOAD="$(gcc -print-file-name=libasan.so) $B/libmemo.so"
	export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:verify_asan_link_order=0"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
	PRELOAD="$B/libmemo.so"
fi
export MEMO_TEST_RUNS="$T/runs"	# test programs append a line per body run
# the default cache folder (no `dir`) and the identity cache stay in $T too
export XDG_CACHE_HOME="$T/xdg-cache"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
note() { echo "-- $*"; }

# conf_function NAME PROTOTYPE [KEY=VALUE...]: write $T/memo.d/NAME.conf, a
# [function NAME] section with its prototype and the settings given, in order.
# conf_cache [KEY=VALUE...]: write $T/memo.d/cache.conf, the [cache] section.
# Each replaces the file it writes; point MEMO_CONFIG at "$T/memo.d".
#   conf_function got_add 'int got_add(int a, int b)' mechanism=got
#   conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function() {
	local name=$1 proto=$2
	shift 2
	_conf_section "function $name" "$T/memo.d/$name.conf" "prototype=$proto" "$@"
}
conf_cache() { _conf_section cache "$T/memo.d/cache.conf" "$@"; }
# TEN_LIBC: bench/run's "ten", libc functions `true` and `cat` never call,
# as NAME:PROTOTYPE lines; conf_ten_libc writes their function sections.
TEN_LIBC='abs:int abs(int j)
labs:long labs(long j)
llabs:long long llabs(long long j)
ffs:int ffs(int i)
ffsl:int ffsl(long i)
ffsll:int ffsll(long long i)
toupper:int toupper(int c)
tolower:int tolower(int c)
strverscmp:int strverscmp(const char *a, const char *b)
rand_r:int rand_r(opaque void *seed)'
conf_ten_libc() {
	local name proto
	while IFS=: read -r name proto; do
		conf_function "$name" "$proto"
	done <<<"$TEN_LIBC"
}
# memoized_in FILE: how many functions a run's stderr (MEMO_LOG=info) says
# memoized; under SAN=1 a copy in ASan's runtime (it defines rand_r, one of
# TEN_LIBC) is not counted.
memoized_in() {
	grep "' memoized" "$1" | grep -vc "/libasan\.so"
}
_conf_section() {
	local head=$1 file=$2 kv
	shift 2
	mkdir -p "$T/memo.d"
	for kv in "$@"; do
		case $kv in ?*=*) ;; *) fail "$file: '$kv' is not KEY=VALUE" ;; esac
	done
	{
		printf '[%s]\n' "$head"
		for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	} >"$file"
}

# under_memo CMD...: run CMD with libmemo preloaded.
under_memo() { LD_PRELOAD="$PRELOAD" "$@"; }

# engine_count_gdb ADDRS LABEL: a gdb script (on stdout) that runs the
# program under libmemo (MEMO_CONFIG as set) and counts the executions of
# the instructions at ADDRS (a file of hex offsets in libmemo-engine.so, as
# objdump gives them; breakpoints set once the engine is loaded), printing
# "LABEL N" when the program exits.
engine_count_gdb() {
	local engine start a
	engine="$(dirname "$PRELOAD")/libmemo-engine.so"
	start=$(nm "$engine" | awk '$3 == "memo_engine_start" { print $1 }')
	[ -n "$start" ] || fail "memo_engine_start not found in $engine"
	echo 'set pagination off'
	echo 'set breakpoint pending on'
	echo "set environment LD_PRELOAD=$PRELOAD"
	echo "set environment MEMO_CONFIG=$MEMO_CONFIG"
	echo 'set environment MEMO_LOG=error'
	echo 'break memo_engine_start'
	echo 'run'
	echo 'python'
	echo 'import gdb'
	echo 'hits = [0]'
	echo 'class Count(gdb.Breakpoint):'
	echo '    def stop(self):'
	echo '        hits[0] += 1'
	echo '        return False'
	echo "base = int(gdb.parse_and_eval('(long)&memo_engine_start')) - 0x$start"
	while read -r a; do echo "Count('*0x%x' % (base + 0x$a), internal=True)"; done <"$1"
	echo "gdb.events.exited.connect(lambda e: print(\"$2 %d\" % hits[0]))"
	echo 'end'
	echo 'continue'
}

# said FILE: true when FILE (a run's stderr) has a line. Under SAN=1 the
# purity warning about ASan's own globals, which instrumented test programs
# read, does not count.
said() {
	if [ "${SAN:-0}" = 1 ]; then
		grep -v "reads writable globals (__asan" "$1" | grep -q .
	else
		[ -s "$1" ]
	fi
}

# runs NAME: how many times the body of test function NAME ran so far.
runs() { grep -cx "$1" "$MEMO_TEST_RUNS" 2>/dev/null || true; }
reset_runs() { : >"$MEMO_TEST_RUNS"; }

# same FILE1 FILE2 WHAT: byte-for-byte equality, with a diff on failure.
same() {
	cmp -s "$1" "$2" || { diff "$1" "$2" | head -n 20 >&2; fail "$3: outputs differ"; }
}

# same_quietly WHAT CMD...: CMD run plain, then under libmemo, each within
# 20 s: the second must exit 0, print what the first printed, byte for
# byte, and say nothing on stderr (run.out, run.err kept for the caller).
same_quietly() {
	local what=$1 rc
	shift
	MEMO_DISABLE=1 timeout 20 "$@" >plain.out || fail "$what: plain run"
	timeout 20 env LD_PRELOAD="$PRELOAD" "$@" >run.out 2>run.err
	rc=$?
	[ $rc = 0 ] || { cat run.err; fail "$what: exit status $rc"; }
	same plain.out run.out "$what"
	said run.err && { cat run.err; fail "$what: said something"; }
	return 0
}

# stat_of JSONL SYMBOL FIELD: a counter from the last stats line of a file
# written with stats = FILE.jsonl (or MEMO_STATS=FILE); over every copy of
# SYMBOL ("SYMBOL (libx.so)") when it was caught in several objects.
stat_of() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, sym, field = sys.argv[1:]
lines = [l for l in open(path) if l.strip()]
# a function caught in several objects has a row per copy: "f (libx.so)"
rows = json.loads(lines[-1])["symbols"]
print(sum(v.get(field, 0) for k, v in rows.items() if k == sym or k.startswith(sym + " (")))
PY
}
# stat_sum JSONL SYMBOL FIELD: the counter summed over every process's line.
stat_sum() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, sym, field = sys.argv[1:]
print(sum(v.get(field, 0) for l in open(path) if l.strip()
          for k, v in json.loads(l)["symbols"].items() if k == sym or k.startswith(sym + " (")))
PY
}
# each_run_rejected_one JSONL SYMBOL N: the stats file holds a first line
# and then N, one per run, each rejecting one value of SYMBOL and serving
# the other (t0424, t0429: runs with one byte of an entry changed).
each_run_rejected_one() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, sym, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l)["symbols"][sym] for l in open(path)][1:]
bad = [(i, r["rejected"], r["hits"]) for i, r in enumerate(rows) if (r["rejected"], r["hits"]) != (1, 1)]
if len(rows) != n or bad:
    sys.exit("%d runs; byte, rejected, hits where not 1, 1: %s" % (len(rows), bad[:10]))
PY
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }

# start_memcached [ARGS...]: a memcached on a kernel-chosen loopback port.
# Sets MC_PORT and MC_PID (registered for cleanup). Several may be started.
start_memcached() {
	local pf="$T/mc.port.$RANDOM$RANDOM" i
	MEMCACHED_PORT_FILENAME="$pf" memcached -p -1 -U 0 -l 127.0.0.1 -u "$(id -un)" "$@" &
	MC_PID=$!
	_pids+=("$MC_PID")
	for i in $(seq 1 200); do
		[ -s "$pf" ] && break
		kill -0 "$MC_PID" 2>/dev/null || fail "memcached did not start"
		sleep 0.02
	done
	MC_PORT=$(sed -n 's/^TCP INET: //p' "$pf" | head -n 1)
	[ -n "$MC_PORT" ] || fail "memcached did not report its port"
}

# start_relay SCRIPT TARGET [ARGS...]: tests/progs/mc/SCRIPT, a relay to
# 127.0.0.1:TARGET on a kernel-chosen loopback port (its port file, then
# ARGS), in the background. Sets RELAY_PORT (registered for cleanup).
start_relay() {
	local pf="$T/relay.port.$RANDOM$RANDOM" i
	python3 "$TOP/tests/progs/mc/$1" "$2" "$pf" "${@:3}" &
	_pids+=($!)
	for i in $(seq 1 250); do
		[ -s "$pf" ] && break
		kill -0 "$!" 2>/dev/null || fail "$1 did not start"
		sleep 0.02
	done
	RELAY_PORT=$(cat "$pf" 2>/dev/null) || fail "$1 did not report its port"
}

# start_holder [WRAPPER...]: start $P/noisy/flight's gated_square(9) under
# libmemo in the background, the file ./gate held (touched here; remove it
# to let bodies return), and wait until its body runs: it then holds its
# single-flight lease. Sets HOLDER (registered for cleanup). WRAPPER (e.g.
# `timeout 30`) runs the program; $HOLDER is then the wrapper's pid.
start_holder() {
	local i
	touch gate
	# not through under_memo: $! must be the program's pid, not a subshell's
	"$@" env LD_PRELOAD="$PRELOAD" "$P/noisy/flight" gated 9 >holder.out 2>holder.err &
	HOLDER=$!
	_pids+=("$HOLDER")
	for i in $(seq 1 500); do
		[ "$(runs gated_square)" = 1 ] && break
		kill -0 "$HOLDER" 2>/dev/null || { cat holder.err; fail "the holder exited"; }
		sleep 0.02
	done
	expect_eq "$(runs gated_square)" 1 "the holder is in the body"
}

# batches N K FN: run `FN I` for I = 0 .. N-1 in the background, K at a
# time; one that fails fails the test, with its err.I (if any) shown.
batches() {
	local n=$1 k=$2 fn=$3 b i pids
	for ((b = 0; b < n; b += k)); do
		pids=()
		for ((i = b; i < b + k && i < n; i++)); do
			"$fn" "$i" &
			pids+=($!)
		done
		for ((i = 0; i < ${#pids[@]}; i++)); do
			wait "${pids[$i]}" ||
				{ cat "err.$((b + i))" 2>/dev/null; fail "process $((b + i)) of $n failed"; }
		done
	done
}

# stop_pid PID: stop a process the test started, and wait for it.
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }
