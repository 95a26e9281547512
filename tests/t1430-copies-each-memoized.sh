#!/usr/bin/env bash
# t1430: a configured name defined in several loaded objects is caught in
# every copy callers reach (src/boot/activate.c activate_copies, src/find/
# symbols.c sym_copies). copy_solve is defined in libcopya.so (3n+1) and in
# libcopyb.so (3n+2), each called by its own library's caller; libcopyb.so
# is dlopened after start (copyprog) or linked (copyprog-linked). Under
# mechanism auto and inline: output as without libmemo, each copy's body
# runs once per argument and never on a rerun, each copy has its own stats
# row naming its file, and neither copy is served the other's results. Under
# mechanism got, the program's lazy PLT slot goes to the copy the loader
# binds it to (src/patch/got.c got_lazy_binding). Two copies in files of
# one name have rows named by their paths (src/boot/engine.c). MEMO_EXPLAIN
# keeps each copy's history apart.
source "$TOP/tests/lib.sh"
C="$P/copies"

export MEMO_CONFIG="$T/memo.d"
for prog in copyprog copyprog-linked; do
	for mech in auto inline; do
		what="$prog, mechanism $mech"
		note "$what"
		rm -rf cache memo.d
		conf_cache dir="$T/cache" stats="$T/stats-$prog-$mech.jsonl"
		conf_function copy_solve 'int copy_solve(int n)' mechanism=$mech
		MEMO_DISABLE=1 "$C/$prog" 1 2 3 >plain.out || fail "$what: plain run"
		reset_runs
		MEMO_LOG=info under_memo "$C/$prog" 1 2 3 >first.out 2>first.err ||
			{ cat first.err; fail "$what: first run"; }
		same plain.out first.out "$what: first run"
		grep -q "'copy_solve' is defined in '.*/libcopyb.so' too" first.err ||
			{ cat first.err; fail "$what: the second copy is not said"; }
		# copy_solve=... and a_run=... call a's copy with the same n: one body run
		expect_eq "$(runs copy_solve_a)" 3 "$what: a's bodies, first run"
		expect_eq "$(runs copy_solve_b)" 3 "$what: b's bodies, first run"
		reset_runs
		under_memo "$C/$prog" 1 2 3 >second.out 2>second.err ||
			{ cat second.err; fail "$what: second run"; }
		same plain.out second.out "$what: second run"
		expect_eq "$(runs copy_solve_a)" 0 "$what: a's bodies, second run"
		expect_eq "$(runs copy_solve_b)" 0 "$what: b's bodies, second run"
		s="$T/stats-$prog-$mech.jsonl"
		expect_eq "$(stat_of "$s" 'copy_solve (libcopya.so)' hits)" 6 "$what: a's hits"
		expect_eq "$(stat_of "$s" 'copy_solve (libcopyb.so)' hits)" 3 "$what: b's hits"
		expect_eq "$(tail -n 1 "$s" | grep -c '"copy_solve":')" 0 "$what: a row without its copy named"
	done
	# mechanism got: the program's own calls cross objects through its
	# lazy PLT slot, bound to a's copy (the global scope's); the calls
	# inside each library do not, and run their bodies every time
	what="$prog, mechanism got"
	note "$what"
	rm -rf cache memo.d
	conf_cache dir="$T/cache"
	conf_function copy_solve 'int copy_solve(int n)' mechanism=got
	under_memo "$C/$prog" 1 2 3 >first.out 2>first.err || { cat first.err; fail "$what: first run"; }
	same plain.out first.out "$what: first run"
	reset_runs
	under_memo "$C/$prog" 1 2 3 >second.out 2>second.err || { cat second.err; fail "$what: second run"; }
	same plain.out second.out "$what: second run"
	expect_eq "$(runs copy_solve_a)" 3 "$what: a's bodies, second run (a_run's alone)"
	expect_eq "$(runs copy_solve_b)" 3 "$what: b's bodies, second run"
done

# two copies in files of one name (b's, dlopened as other/libcopya.so): the
# second row is named by its path
note "two files named libcopya.so"
mkdir other && cp "$C/libcopyb.so" other/libcopya.so || fail "copying b"
rm -rf cache memo.d
conf_cache dir="$T/cache" stats="$T/stats-same-name.jsonl"
conf_function copy_solve 'int copy_solve(int n)'
COPY_PLUGIN="$T/other/libcopya.so" under_memo "$C/copyprog" 1 2 3 >same-name.out 2>same-name.err ||
	{ cat same-name.err; fail "two files named libcopya.so"; }
same plain.out same-name.out "two files named libcopya.so"
expect_eq "$(stat_of stats-same-name.jsonl 'copy_solve (libcopya.so)' misses)" 3 "a's row"
expect_eq "$(stat_of stats-same-name.jsonl "copy_solve ($T/other/libcopya.so)" misses)" 3 "b's row"

# MEMO_EXPLAIN: each copy's first misses are new arguments, never a changed
# identity (each copy keeps its own history: src/call/explain.c)
note "MEMO_EXPLAIN"
rm -rf cache memo.d
conf_cache dir="$T/cache"
conf_function copy_solve 'int copy_solve(int n)'
MEMO_EXPLAIN=1 under_memo "$C/copyprog" 1 2 >explain.out 2>explain.err || { cat explain.err; fail "explain run"; }
expect_eq "$(grep -c "'copy_solve' miss: first call with these arguments" explain.err)" 4 "first misses"
grep -q "identity changed" explain.err && { cat explain.err; fail "a copy told as a changed identity"; }
exit 0
