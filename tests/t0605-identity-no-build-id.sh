#!/usr/bin/env bash
# t0605: an import from a library without a build-id (-Wl,--build-id=none) is
# identified by the library's content (src/find/provider.c), not by its path:
# the library rebuilt with another constant at the same path, the program not
# relinked, the next run computes the new values (with the identity cache
# from the run before in place, and without it), and a run of an unchanged
# library still hits.
source "$TOP/tests/lib.sh"
S="$TOP/tests/progs/identity"

lib() { gcc -O2 -fPIC -shared -Wl,--build-id=none -DK="$1" -o libprov.so "$S/provlib.c" || fail "building libprov.so (K=$1)"; }
lib 1
readelf -n libprov.so | grep -q "Build ID" && fail "libprov.so has a build-id"
gcc -O2 -o prov "$S/provmain.c" -L. -lprov -Wl,-rpath,"$T" || fail "building prov"

conf_function f 'int f(int x)'
conf_cache dir="$T/cache"
export MEMO_CONFIG="$T/memo.d"

# run EXPECTED_BODY_RUNS WHAT: prov under libmemo prints what it prints without.
run() {
	MEMO_DISABLE=1 ./prov >plain.out || fail "$2: without libmemo"
	reset_runs
	under_memo ./prov >memo.out 2>memo.err || { cat memo.err; fail "$2: under libmemo"; }
	same plain.out memo.out "$2"
	expect_eq "$(runs f)" "$1" "$2: f's body runs"
}

run 3 "the first run fills the cache"
run 0 "the same library hits"
expect_eq "$(cat plain.out | tr '\n' ' ')" "11 21 31 " "values with K=1"
lib 2
run 3 "the library upgraded (K=2), identity cache in place: a miss"
expect_eq "$(cat plain.out | tr '\n' ' ')" "12 22 32 " "values with K=2"
run 0 "the upgraded library hits its own entries"
lib 3
rm -rf cache/identity
run 3 "upgraded again (K=3), no identity cache: a miss"
lib 1
run 0 "back to the first build (K=1): its entries hit again"
