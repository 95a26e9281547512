#!/usr/bin/env bash
# t1431: `object =` matches every name of an object (src/find/symbols.c
# sym_object_matches): its soname, the name it was dlopened (or linked)
# with, its file name, and its path with or without symbolic links
# resolved. libcopyb.so, built with the soname libcopysn.so.7, lies at
# impl/libcopyb-r1.so and is dlopened through the symlink libcopyb.so.0,
# as libopenblas.so.0 is; libcopya.so defines copy_solve too. Each name
# catches b's copy alone: a rerun runs none of b's bodies and all of a's;
# a name of no object catches neither.
source "$TOP/tests/lib.sh"
C="$P/copies"

mkdir impl && cp "$C/libcopyb-sn.so" impl/libcopyb-r1.so && ln -s impl/libcopyb-r1.so libcopyb.so.0 ||
	fail "setting up the plugin"
export COPY_PLUGIN="$T/libcopyb.so.0" MEMO_CONFIG="$T/memo.d"
MEMO_DISABLE=1 "$C/copyprog" 4 5 >plain.out || fail "plain run"

# object NAME B_RUNS: with object = NAME, b's bodies run B_RUNS times in the
# second run, a's twice per argument in each run.
object() {
	local name=$1 want=$2
	note "object = $name"
	rm -rf cache memo.d
	conf_cache dir="$T/cache"
	conf_function copy_solve 'int copy_solve(int n)' object="$name"
	under_memo "$C/copyprog" 4 5 >first.out 2>first.err || { cat first.err; fail "$name: first run"; }
	same plain.out first.out "$name: first run"
	reset_runs
	under_memo "$C/copyprog" 4 5 >second.out 2>second.err || { cat second.err; fail "$name: second run"; }
	same plain.out second.out "$name: second run"
	expect_eq "$(runs copy_solve_b)" "$want" "object = $name: b's bodies in the second run"
	expect_eq "$(runs copy_solve_a)" 4 "object = $name: a's bodies in the second run"
}
object libcopysn.so.7 0		# the soname
object libcopysn 0		# the soname, without what follows a dot
object libcopyb.so.0 0		# the name it was dlopened with
object "$T/libcopyb.so.0" 0	# that path, the symlink unresolved
object libcopyb-r1.so 0		# the file name
object "$T/impl/libcopyb-r1.so" 0	# the file's path
object "$T/impl/../libcopyb.so.0" 0	# another path to it
object libcopyc.so 2		# no object of that name
exit 0
