#!/usr/bin/env bash
# t0115: libelf and liblmdb are loaded at the engine's first call into them
# (src/base/lazylib.h, src/find/libelf_calls.c, src/store/lmdb_calls.c).
# Ten libc functions found and never called (bench/run's "ten") map neither,
# nor libz and libpthread, which they bring, once the prototype verdicts are
# cached (reading the debug info needs libelf): cat's own /proc/self/maps. A
# program whose memoized function runs loads them then: its entries go to
# small2.mdb and its second run is served. Where either library cannot be
# loaded (/dev/null bound over it in a mount namespace of the test's own),
# the output is as without libmemo and the message names the library:
# without libelf nothing is memoized, without liblmdb entries are files and
# the second run is still served.
source "$TOP/tests/lib.sh"

export MEMO_CONFIG="$T/memo.d"
lazy='libelf|libz\.so|liblmdb|libpthread'

if [ "${SAN:-0}" != 1 ]; then	# ASan's runtime maps libpthread itself
	note "ten libc functions found, never called"
	conf_cache dir="$T/cache" stats=off
	conf_ten_libc
	# the first run reads the debug info for the prototype verdicts: libdw
	# brings libelf and libz then; the second reads them cached
	for run in first again; do
		under_memo cat /proc/self/maps >"$run.maps" 2>"$run.err" || { cat "$run.err"; fail "cat failed"; }
		grep -q 'libmemo-engine\.so' "$run.maps" || fail "$run run: the engine was not loaded"
		[ $run = first ] && unused='liblmdb|libpthread' || unused=$lazy
		grep -E "$unused" "$run.maps" && fail "$run run: a library loaded before its first use (above)"
		said "$run.err" && { cat "$run.err"; fail "$run run: something was said"; }
	done
	rm -rf memo.d
fi

note "a memoized function that runs: the libraries load, small2.mdb serves"
bin="$P/mc/mcmain"
mkdir -p memo.d
cp "$TOP/tests/progs/mc/memo.d/mc_slow.conf" memo.d/
MEMO_DISABLE=1 "$bin" 3 >plain.out || fail "the plain run"
reset_runs
conf_cache dir="$T/c1" stats="$T/c1.jsonl"
for i in 1 2; do
	under_memo "$bin" 3 >c1.$i.out 2>c1.$i.err || { cat c1.$i.err; fail "run $i"; }
	same plain.out c1.$i.out "run $i"
	said c1.$i.err && { cat c1.$i.err; fail "run $i said something"; }
done
[ -s "$T/c1/small2.mdb" ] || fail "no small2.mdb: liblmdb was not used"
expect_eq "$(stat_of c1.jsonl mc_slow hits)" 3 "hits of the second run"
expect_eq "$(runs mc_slow)" 3 "body runs"

unshare -m --propagation private true 2>/dev/null ||
	skip "no mount namespace here (unshare -m): a library's absence is not tested"
without() {	# without SONAME CMD...: CMD with the library's file read as empty
	local lib
	lib=$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ { print $NF; exit }')
	[ -n "$lib" ] || fail "'$1' is not in the loader's cache"
	unshare -m --propagation private sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
		sh "$lib" "${@:2}"
}
for lib in libelf.so.1 liblmdb.so.0; do
	note "without $lib"
	conf_cache dir="$T/$lib" stats="$T/$lib.jsonl"
	reset_runs
	for i in 1 2; do
		without "$lib" env LD_PRELOAD="$PRELOAD" "$bin" 3 >"$lib.$i.out" 2>"$lib.$i.err" ||
			{ cat "$lib.$i.err"; fail "$lib: run $i"; }
		same plain.out "$lib.$i.out" "without $lib, run $i"
		grep -q "cannot load '$lib'" "$lib.$i.err" ||
			{ cat "$lib.$i.err"; fail "without $lib, run $i: its absence was not said"; }
	done
	case $lib in
	libelf*) expect_eq "$(runs mc_slow)" 6 "body runs without libelf (nothing memoized)" ;;
	liblmdb*)
		expect_eq "$(stat_of "$lib.jsonl" mc_slow hits)" 3 "hits of the second run without liblmdb"
		expect_eq "$(runs mc_slow)" 3 "body runs without liblmdb"
		[ -n "$(find "$T/$lib" -name 'm1-*' -type f)" ] || fail "without liblmdb: no entry files" ;;
	esac
done
exit 0
