#!/usr/bin/env bash
# t0120: an `object =` path is resolved (realpath) once per walk of the
# loaded objects, not once per object for each function: ten libc
# functions named by a symbolic link to libc (so that only the resolved
# path matches) had it resolved 130 times in one start of `cat`, a
# failing readlink per component each time (~1,300 in all; a program of
# many objects paid thousands). Counted with strace: each resolution
# reads the link itself once. The functions are still found through the
# link and memoized, and the output is the program's.
source "$TOP/tests/lib.sh"
command -v strace >/dev/null || skip "strace is not installed (tools/install-deps.sh test)"

mkdir lib
ln -s /lib/x86_64-linux-gnu/libc.so.6 lib/libc.so.6
export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
while IFS=: read -r name proto; do
	conf_function "$name" "$proto" object="$T/lib/libc.so.6"
done <<<"$TEN_LIBC"
printf 'one\ntwo\n' >in.txt
cat in.txt >plain.out

for run in first again; do	# the second start patches from the caches
	MEMO_LOG=info strace -f -o "$run.trace" -e trace=readlink,readlinkat \
		env LD_PRELOAD="$PRELOAD" cat in.txt >"$run.out" 2>"$run.err" ||
		{ cat "$run.err"; fail "$run: cat failed"; }
	same plain.out "$run.out" "$run"
	expect_eq "$(memoized_in "$run.err")" 10 "$run: functions memoized through the link"
	n=$(grep -c "readlink[a-z]*(.*\"$T/lib/libc.so.6\"" "$run.trace")
	# one walk at start-up; a library dlopened meanwhile (libelf, on a
	# first start) makes a new walk, which resolves it once more
	[ "$n" -ge 1 ] && [ "$n" -le 3 ] ||
		fail "$run: the object path was resolved $n times (expected once per walk, 1-3)"
done
exit 0
