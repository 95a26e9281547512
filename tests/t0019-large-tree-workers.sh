# The BLAKE2b tree of a large argument and of a large value's check is the
# same whatever hashes it: a 72 MB entry written by one process on one core
# (no worker threads) with libb2's BLAKE2b is served to one on every core
# with libsodium's, and the other way round. A stand-in libsodium.so.23
# without its functions (tests/progs/big/nosodium.c) makes treehash.c fall
# back to libb2; LD_DEBUG=files shows which one each run loaded. (On a CPU
# with AVX2, full leaves go four at a time through blake2b_x4.c in every
# run: tests/unit/treehash.c checks it against libb2, t0012.)
source "$TOP/tests/lib.sh"

command -v taskset >/dev/null || skip "taskset (util-linux) is not installed"
ldconfig -p | grep 'libsodium\.so\.23 ' >/dev/null || skip "libsodium23 is not installed (tools/install-deps.sh)"
[ "$(nproc)" -ge 2 ] || skip "one CPU: the pool would have no worker either way"
N=9000000	# doubles: 72 MB, 275 leaves (their digests on the heap)
conf_cache dir="$T/cache" stats="$T/stats.jsonl"
conf_function big 'void big(inout double a[n], size_t n)' time_threshold=0
export MEMO_CONFIG="$T/memo.d"
MEMO_DISABLE=1 "$P/big/big" $N >plain.out || fail "plain run"

# one WHAT RUNS-EXPECTED CPUS SODIUM: a run on CPUS (taskset list, or "all")
# with the real libsodium (real) or the stand-in (none)
one() {
	local run=() lib=()
	[ "$3" = all ] || run=(taskset -c "$3")
	[ "$4" = none ] && lib=(env LD_LIBRARY_PATH="$P/big/nosodium")
	reset_runs
	LD_DEBUG=files under_memo "${run[@]}" "${lib[@]}" "$P/big/big" $N >"$1.out" 2>"$1.err" ||
		{ tail "$1.err"; fail "$1"; }
	same plain.out "$1.out" "$1"
	expect_eq "$(runs big)" "$2" "$1: body runs"
	if [ "$4" = none ]; then
		grep -q "opening file=$P/big/nosodium/libsodium.so.23 " "$1.err" ||
			fail "$1: the stand-in was not loaded"
	else
		grep "opening file=.*/libsodium.so.23 " "$1.err" | grep -vq nosodium ||
			fail "$1: libsodium was not loaded"
	fi
}

one "written on one core with libb2" 1 0 none
one "read on every core with libsodium" 0 all real
rm -rf "$T/cache"
one "written on every core with libsodium" 1 all real
one "read on one core with libb2" 0 0 none
one "read on the other core with libsodium" 0 1 real
