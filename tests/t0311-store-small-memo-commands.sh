#!/usr/bin/env bash
# Owns: the memo commands over the store of small entries (small2.mdb): a
# program's small results go there (no entry file), memo stats counts and
# attributes them, memo export and import carry them to a second folder
# where every call is a hit, memo evict --to removes the least recently
# used, and memo clear removes them all (the next run computes again).
source "$TOP/tests/lib.sh"
app="$P/inline/app"
args=(3 1 4 1 5 9 2 6)	# 7 distinct
MEMO_DISABLE=1 "$app" "${args[@]}" >plain.out || fail "app without libmemo"
cfg() {
	mkdir -p "$1"
	printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >"$1/simulate.conf"
	printf '[cache]\nstats = %s\ndir = %s\n' "$T/$1.jsonl" "$T/$1-cache" >"$1/cache.conf"
}
run_app() {	# run_app NAME: the app under config NAME; prints its body runs
	reset_runs
	"$B/memo" run -c "$1" -- "$app" "${args[@]}" >out 2>err || { cat err; fail "memo run -c $1"; }
	same plain.out out "memo run -c $1"
	runs simulate
}
json() { "$B/memo" stats -c "$1" --json 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }

cfg a
expect_eq "$(run_app a)" 7 "first run: body runs"
[ -s a-cache/small2.mdb ] || fail "no small2.mdb"
expect_eq "$(find a-cache -name 'm1-*' | wc -l)" 0 "entry files"
expect_eq "$(json a "d['functions']['simulate']['entries']")" 7 "memo stats: simulate's entries"
expect_eq "$(run_app a)" 0 "second run: body runs"

note "export, import into a second folder"
"$B/memo" export -c a all.arch >out 2>err || { cat err; fail "memo export"; }
grep -qx "exported 7 entries to 'all.arch'" out || { cat out; fail "memo export: not said"; }
cfg b
"$B/memo" import -c b all.arch >out 2>err || { cat err; fail "memo import"; }
expect_eq "$(run_app b)" 0 "after the import: body runs"

note "evict to a bound below what they take, then clear"
"$B/memo" evict -c a --to 1 >out 2>err || { cat err; fail "memo evict --to"; }
left=$(json a "d['functions'].get('simulate', {}).get('entries', 0)")
[ "$left" -lt 7 ] || fail "memo evict --to 1 left $left entries"
"$B/memo" clear -c b >out 2>err || { cat err; fail "memo clear"; }
expect_eq "$(json b "d['functions'].get('simulate', {}).get('entries', 0)")" 0 "entries after memo clear"
expect_eq "$(run_app b)" 7 "after memo clear: body runs"
exit 0
