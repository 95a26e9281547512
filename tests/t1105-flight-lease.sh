# The stores' single-flight lease (store.h `lease`), on the folder store, a
# real memcached and both layered: one holder at a time, only the owner drops
# it, a lease past its expiry passes to exactly one taker, and 4 processes
# racing for one lease get exactly one. Calls $P/unit/lease.
source "$TOP/tests/lib.sh"
L="$P/unit/lease"

# one_of EXPECTED_HITS NAME TTL_MS: 4 processes take NAME at once (owners 11..14)
one_of() {
	local o pids=()
	for o in 11 12 13 14; do "$L" $S take "$2" $o "$3" >race.$o & pids+=($!); done
	for o in "${pids[@]}"; do wait "$o" || fail "$store: a racer failed"; done
	expect_eq "$(cat race.1? | grep -c '^hit$')" "$1" "$store: racers that took '$2'"
	expect_eq "$(cat race.1? | grep -c '^conflict$')" $((4 - $1)) "$store: racers refused '$2'"
}

start_memcached
for store in folder memcached layered; do
	note "$store"
	case $store in
	folder) S="-d $T/cache" ;;
	memcached) S="-s 127.0.0.1:$MC_PORT" ;;
	layered) S="-d $T/cache2 -s 127.0.0.1:$MC_PORT" ;;
	esac
	n=$store	# lease names differ per store: memcached is shared by two of them
	expect_eq "$("$L" $S take $n.a 1 60000)" hit "$store: take a free lease"
	expect_eq "$("$L" $S take $n.a 2 60000)" conflict "$store: take a live lease"
	expect_eq "$("$L" $S drop $n.a 2)" miss "$store: drop another's lease"
	expect_eq "$("$L" $S take $n.a 2 60000)" conflict "$store: still the first owner's"
	expect_eq "$("$L" $S drop $n.a 1)" hit "$store: the owner drops it"
	expect_eq "$("$L" $S drop $n.a 1)" miss "$store: dropped twice"
	expect_eq "$("$L" $S take $n.a 2 60000)" hit "$store: take a dropped lease"
	one_of 0 $n.a 60000
	one_of 1 $n.b 60000

	note "$store: a lease past its expiry passes to one taker"
	expect_eq "$("$L" $S take $n.c 5 1000)" hit "$store: take with 1 s expiry"
	# The folder expires a lease by its age against the taker's ttl; memcached
	# by the expiry its holder set (1 s, plus up to 2 s of whole seconds).
	sleep 3.1
	one_of 1 $n.c 1000
	expect_eq "$("$L" $S drop $n.c 5)" miss "$store: the expired holder drops nothing"
	winner=$(grep -l '^hit$' race.1? | sed 's/race\.//')
	expect_eq "$("$L" $S drop $n.c "$winner")" hit "$store: the new holder drops it"
done
[ -n "$(find cache -name lease1-folder.b)" ] || fail "folder: a held lease is not a file in the folder"
[ -z "$(find cache2 -name 'lease1-*')" ] || fail "layered: a lease went to the folder, not to memcached"
