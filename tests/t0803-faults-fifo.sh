# Nothing libmemo opens can block: a FIFO where the folder store keeps an
# entry, its .size or a single-flight lease, or where find/identity.c and
# store/records.c keep an identity or an explain history, is never read or
# written (util_open_regular: O_NONBLOCK, regular files only). The call
# computes, the output is the program's own, the entry is counted as an
# error and said once, and the next run hits. Every run is bounded by
# `timeout`, so a run that blocks on a FIFO fails the test, never hangs it.
source "$TOP/tests/lib.sh"

G="$P/got/gotprog-relro"
conf_function got_add 'int got_add(int a, int b)' mechanism=got
# small_store = no: the entries are files, one each, which this test replaces
conf_cache dir="$T/cache" stats="$T/stats.jsonl" small_store=no
export MEMO_CONFIG="$T/memo.d"

# bounded NAME CMD...: CMD under `timeout 30`, its output in NAME.out/.err.
bounded() {
	local name=$1 rc
	shift
	timeout 30 "$@" >"$name.out" 2>"$name.err"
	rc=$?
	[ $rc = 124 ] && fail "$name: blocked (killed by timeout)"
	[ $rc = 0 ] || { cat "$name.err"; fail "$name: failed ($rc)"; }
}
# fifo FILE...: each FILE replaced by a FIFO of the same name.
fifo() {
	local f
	for f in "$@"; do rm -f "$f" && mkfifo "$f" || fail "mkfifo '$f'"; done
}

MEMO_DISABLE=1 "$G" 4 >plain.out || fail "plain run"
reset_runs
bounded first env MEMO_EXPLAIN=1 LD_PRELOAD="$PRELOAD" "$G" 4
same plain.out first.out "first run"
entries=$(find cache -name 'm1-*')
ids=$(find cache/identity -name '*.id')
hist=$(find cache/identity -name 'x1-*')
[ "$(echo "$entries" | wc -w)" = 2 ] || fail "first run: expected 2 entries, found: $entries"
[ -n "$ids" ] || fail "first run wrote no identity cache file"
[ -n "$hist" ] || fail "first run wrote no explain history"
[ -f cache/.size ] || fail "first run wrote no .size"

note "FIFOs at the entries, the identity, the explain history and .size"
fifo $entries $ids $hist cache/.size
reset_runs
rm -f stats.jsonl
bounded fifos env MEMO_EXPLAIN=1 LD_PRELOAD="$PRELOAD" "$G" 4
same plain.out fifos.out "with FIFOs"
expect_eq "$(runs got_add)" 2 "bodies run (each entry recomputed)"
expect_eq "$(stat_sum stats.jsonl got_add errors)" 2 "errors counted (the two entries)"
expect_eq "$(grep -c 'm1-.*not a regular file' fifos.err)" 1 "lines about the entries (said once)"
grep -q "\.id': not a regular file" fifos.err || { cat fifos.err; fail "the identity FIFO was not said"; }
for f in $entries $ids $hist cache/.size; do [ -f "$f" ] || fail "'$f' was not replaced by a regular file"; done

note "the next run hits"
reset_runs
rm -f stats.jsonl
bounded after env LD_PRELOAD="$PRELOAD" "$G" 4
same plain.out after.out "after the FIFOs"
expect_eq "$(runs got_add)" 0 "bodies run"
expect_eq "$(stat_sum stats.jsonl got_add errors)" 0 "errors"
said after.err && { cat after.err; fail "the run after the FIFOs said something"; }

note "a FIFO at a single-flight lease, swapped in while its holder computes"
conf_function gated_square 'long gated_square(int x)' single_flight=yes single_flight_wait_s=600
export FLIGHT_GATE="$T/gate"
MEMO_DISABLE=1 "$P/noisy/flight" gated 9 >gplain.out || fail "plain run"	# no gate: at once
reset_runs
start_holder timeout 30
holder=$HOLDER
lease=$(find cache -name 'lease1-*')
[ -n "$lease" ] || fail "the holder has no lease file"
fifo "$lease"
rm gate		# the body returns; the holder stores, then drops its lease
wait $holder
rc=$?
[ $rc = 124 ] && fail "the holder blocked dropping its lease (killed by timeout)"
[ $rc = 0 ] || { cat holder.err; fail "the holder failed ($rc)"; }
same gplain.out holder.out "the holder"

note "a FIFO at the lease of a missing entry: the caller takes it over at once"
rm -f $(find cache -name 'm1-*')
fifo "$lease"
reset_runs
rm -f stats.jsonl
bounded taker env LD_PRELOAD="$PRELOAD" "$P/noisy/flight" gated 9
same gplain.out taker.out "the taker"
expect_eq "$(runs gated_square)" 1 "body runs"
expect_eq "$(stat_sum stats.jsonl gated_square waited)" 0 "waiters"
[ -f "$lease" ] || [ ! -e "$lease" ] || fail "the FIFO lease is still there"

note "a FIFO at a running mean's entry (gets/cas): counted, said, then replaced by the next record"
rm -rf cache
conf_cache dir="$T/cache" stats="$T/stats.jsonl" small_store=no
conf_function exact 'int exact(int key)' allow_repeated_evaluations=yes min_repetitions=3
MEMO_DISABLE=1 "$P/noisy/noisy" exact 1 3 >eplain.out || fail "plain noisy exact"
bounded mean1 env LD_PRELOAD="$PRELOAD" "$P/noisy/noisy" exact 1 3
same eplain.out mean1.out "the running mean's first run"
mean=$(find cache -name 'm1-*')
[ "$(echo "$mean" | wc -w)" = 1 ] || fail "expected one running-mean entry, found: $mean"
fifo "$mean"
reset_runs
rm -f stats.jsonl
bounded mean2 env LD_PRELOAD="$PRELOAD" "$P/noisy/noisy" exact 1 3
same eplain.out mean2.out "with a FIFO at the running mean"
[ -f "$mean" ] || { cat mean2.err; fail "the FIFO at the running mean was never replaced"; }
grep -q 'm1-.*not a regular file' mean2.err || { cat mean2.err; fail "the FIFO at the running mean was not said"; }
python3 "$TOP/tests/entries.py" folder cache | grep -q "count=3 " ||
	{ python3 "$TOP/tests/entries.py" folder cache; fail "the new running mean does not hold the run's 3 evaluations"; }

note "stats = a FIFO nobody reads: the run ends, and says the stats went nowhere"
conf_cache dir="$T/cache" stats="$T/stats.fifo"
fifo stats.fifo
reset_runs
bounded statsfifo env LD_PRELOAD="$PRELOAD" "$G" 4
same plain.out statsfifo.out "stats to a FIFO with no reader"
grep -q "cannot write stats to '$T/stats.fifo': a FIFO or socket with no reader" statsfifo.err ||
	{ cat statsfifo.err; fail "the stats FIFO was not said"; }
exit 0
