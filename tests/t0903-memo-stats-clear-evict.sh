#!/usr/bin/env bash
# Owns: memo stats (src/cmd/cmd_stats.c): the counters every process adds to
# the stats kept across runs at exit (src/store/records_stats.c, engine.c
# keep_stats), per function entries and sizes by each value's tag (value.h
# version 2; version 1 still hits, untagged), sizes as du -h shows them,
# --json, -z; memo clear [SYMBOL] and memo evict --older-than/--to
# (src/cmd/cmd_store.c, store_folder.c folder_trim), evictions counted. Real
# runs of the shapes program under LD_PRELOAD; outputs equal the runs without
# libmemo.
source "$TOP/tests/lib.sh"

MEMO="$B/memo"
mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/{dot,fill,sc_i32}.conf memo.d/
# small_store = no: entries are counted as files here (t0311: the same
# commands over the store of small entries)
printf '[cache]\ndir = cache\nstats = %s\nsmall_store = no\n' "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
bin="$P/shapes/shapes-now"
c="$T/memo.d/cache"
for a in 1 2; do MEMO_DISABLE=1 "$bin" $a >plain.$a || fail "plain run $a"; done

run() {	# one process under libmemo, its output equal to the plain one
	under_memo "$bin" "$1" >out 2>err || { cat err; fail "run $1"; }
	same plain.$1 out "run $1"
}
json() {	# memo stats --json into stats.json, which must parse
	"$MEMO" stats --json >stats.json 2>err || { cat err; fail "memo stats --json"; }
	python3 -m json.tool stats.json >/dev/null || { cat stats.json; fail "--json does not parse"; }
}
get() {	# get PYTHON-EXPRESSION over d, the JSON of the last json
	python3 -c 'import json, sys; d = json.load(open("stats.json")); print(eval(sys.argv[1]))' "$1"
}
files() { find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" -type f | wc -l; }
# du -h's text for a number of bytes (rounded up; binary units)
human() {
	python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
if n < 1024:
    print(n); sys.exit()
for u in "KMGTPE":
    t = -(-n * 10 // 1024)
    n /= 1024
    if t < 10240:
        break
print(f"{t // 10}.{t % 10}{u}" if t < 100 else f"{-(-t // 10)}{u}")
PY
}

note "five processes: the stats of every run add up"
for a in 1 1 2 2 1; do run $a; done
json
for s in dot fill sc_i32; do
	for f in calls hits misses sets; do
		expect_eq "$(get "d['functions']['$s']['$f']")" "$(stat_sum stats.jsonl $s $f)" "$s $f over 5 runs"
	done
	# each process's line rounds to the microsecond; the sum keeps nanoseconds
	python3 -c "import sys; sys.exit(abs($(get "d['functions']['$s']['seconds_saved']") - $(stat_sum stats.jsonl $s seconds_saved)) > 5e-6)" ||
		fail "$s seconds_saved is not the sum of the processes'"
done
expect_eq "$(get "d['functions']['dot']['hits'] > 0")" True "dot hits"

note "per function entries and sizes: one entry per set, every entry attributed"
total=0
for s in dot fill sc_i32; do
	expect_eq "$(get "d['functions']['$s']['entries']")" "$(stat_sum stats.jsonl $s sets)" "$s entries"
	total=$((total + $(get "d['functions']['$s']['entries']")))
done
expect_eq "$total" "$(files)" "entries of the three functions"
expect_eq "$(get "d['untagged']['entries'] + d['other']['entries']")" 0 "entries not attributed"
bytes=$(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" -printf '%s\n' | awk '{ s += $1 } END { print s }')
disk=$(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" -printf '%b\n' | awk '{ s += $1 } END { print s * 512 }')
expect_eq "$(get "sum(f['bytes'] for f in d['functions'].values())")" "$bytes" "bytes of the entries"
expect_eq "$(get "d['folder']['disk']")" "$disk" "disk of the entries (blocks)"

note "the text: on disk and max_size as du -h, each function's row"
"$MEMO" stats >stats.txt 2>err || { cat err; fail "memo stats"; }
grep -q "^  on disk  $(human "$disk") of max_size 2.0G " stats.txt || { cat stats.txt; fail "on disk: $(human "$disk")"; }
for s in dot fill sc_i32; do
	grep -Eq "^  $s +$(get "d['functions']['$s']['entries']") +[0-9.]+[KMG]? +[0-9.]+[KMG]? +$(get "d['functions']['$s']['calls']") +$(get "d['functions']['$s']['hits']") +" stats.txt ||
		{ cat stats.txt; fail "no row for $s"; }
done

note "-z zeroes the counters; the next run counts alone"
"$MEMO" stats -z >z.out || fail "memo stats -z"
grep -q "^zeroed " z.out || { cat z.out; fail "-z says nothing"; }
json
expect_eq "$(get "sum(f['calls'] + f['hits'] + f['misses'] for f in d['functions'].values())")" 0 "counters after -z"
expect_eq "$(get "d['functions']['dot']['entries']")" "$(stat_sum stats.jsonl dot sets)" "entries are not counters"
: >stats.jsonl
run 2
json
for s in dot fill sc_i32; do
	expect_eq "$(get "d['functions']['$s']['calls']")" "$(stat_sum stats.jsonl $s calls)" "$s calls after -z"
done

note "an entry written before tags (value version 1) still hits, untagged"
k=$(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" | head -1)
python3 - "$k" "$TOP/tests" <<'PY' || fail "rewriting an entry as version 1"
import os, struct, sys
path = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import forge
v = bytearray(open(path, "rb").read())
assert struct.unpack_from("<H", v, 4)[0] >= 2, "not a tagged value (version 2 on)"
del v[-8:]
struct.pack_into("<H", v, 4, 1)
struct.pack_into("<Q", v, 8, len(v) - forge.HEADER)
v = forge.seal("m1-" + os.path.basename(path)[3:], v, None)
open(path, "wb").write(v)
PY
reset_runs
run 1
run 2
expect_eq "$(runs dot)$(runs fill)$(runs sc_i32)" 000 "bodies run with a version-1 entry"
json
expect_eq "$(get "d['untagged']['entries']")" 1 "the version-1 entry, untagged"

note "a symbol the config does not name is refused, with a hint"
"$MEMO" clear dott >out 2>err && fail "memo clear dott accepted"
grep -q "'dott' is not a function of the config (did you mean 'dot'?)" err || { cat err; fail "no did-you-mean"; }

note "clear SYMBOL deletes only that function's entries; the others still hit"
json
dots=$(get "d['functions']['dot']['entries']")
others=$(( $(files) - dots ))
"$MEMO" clear dot >out || fail "memo clear dot"
grep -q "^dot: $dots entries removed, .* freed in '$c'" out || { cat out; fail "clear dot: what it freed"; }
expect_eq "$(files)" "$others" "entries left after clear dot"
reset_runs
run 1
expect_eq "$(runs fill)$(runs sc_i32)" 00 "the other functions still hit"
[ "$(runs dot)" -gt 0 ] || fail "dot recomputed after clear dot"

note "clear: the folder frees its space (du shrinks)"
before=$(du -sk "$c" | cut -f1)
"$MEMO" clear >out || fail "memo clear"
grep -q "^every function: [1-9][0-9]* entries removed, .* freed in '$c'" out || { cat out; fail "clear: what it freed"; }
expect_eq "$(files)" 0 "entries after clear"
after=$(du -sk "$c" | cut -f1)
[ "$after" -lt "$before" ] || fail "du: $before KiB before clear, $after after"
reset_runs
run 1
expect_eq "$(runs dot)$(runs fill)$(runs sc_i32)" 211 "everything recomputed after clear"

note "evict --older-than AGE: the entries not used for that long"
run 2
n=$(files)
now=$(date +%s)
i=0
for f in $(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" | sort); do	# distinct ages, a day apart
	touch -d "@$((now - 86400 * (i + 1) - 60))" "$f"
	i=$((i + 1))
done
"$MEMO" stats -z >/dev/null
"$MEMO" evict --older-than 2d >out || fail "memo evict --older-than"
grep -q "^evicted: $((n - 1)) entries removed" out || { cat out; fail "evict --older-than 2d: $(cat out)"; }
expect_eq "$(files)" 1 "entries used within 2 days"
json
expect_eq "$(get "d['folder']['evicted']")" $((n - 1)) "evictions counted"

note "evict --to SIZE: the least recently used until the rest fit"
run 1
run 2
n=$(files)
blk=$(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" -printf '%b\n' | sort -n | tail -1)
i=0
for f in $(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" | sort); do
	touch -d "@$((now - 100 * (i + 1)))" "$f"
	i=$((i + 1))
done
newest=$(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*" | sort | head -1)
"$MEMO" evict --to $((blk * 512)) >out || fail "memo evict --to"
grep -q "^evicted: $((n - 1)) entries removed" out || { cat out; fail "evict --to one entry's blocks"; }
[ "$(find "$c" -path "$c/[0-9a-f][0-9a-f]/m1-*")" = "$newest" ] || fail "evict --to kept another than the newest"
"$MEMO" evict --older-than 1x >/dev/null 2>err; expect_eq $? 2 "evict --older-than 1x"
"$MEMO" evict >/dev/null 2>err; expect_eq $? 2 "evict without a rule"

note "a cache folder the store refuses (writable by others) gets no stats written"
sums() { cat "$c"/stats/* | md5sum; }
was=$(sums)
chmod g+w "$c"
run 1
grep -q "writable by group or others" err || { cat err; fail "the refused folder not said"; }
expect_eq "$(sums)" "$was" "stats of a refused folder"
chmod g-w "$c"
run 1
[ "$(sums)" != "$was" ] || fail "no stats kept once the folder is ours again"

note "max_size's evictions in a process: counted at its exit"
"$MEMO" clear >/dev/null && "$MEMO" stats -z >/dev/null || fail "clear, -z"
printf '[cache]\ndir = cache\nmax_size = 8K\nstats = off\n' >memo.d/cache.conf
run 2
json
[ "$(get "d['folder']['evicted']")" -gt 0 ] || { cat stats.json; fail "no eviction counted"; }
expect_eq "$(get "d['folder']['evicted'] + d['folder']['entries']")" "$(get "sum(f['sets'] for f in d['functions'].values())")" \
	"entries evicted and left: every one set"
exit 0
