#!/usr/bin/env bash
# t1207: a cache folder the store refuses gets nothing written into it, by
# anything libmemo writes (src/call/prime.c's identity cache folder and the
# explain history beside it follow src/store/store_folder.c's
# store_folder_root): owned by another user (65534), or writable by others;
# the configured folder, alone or in front of memcached, and the default
# folder ($XDG_CACHE_HOME/libmemo) that holds identities when only memcached
# is configured. Each run prints its plain output, stderr says why, the folder
# is as it was (empty), and memcached still serves the second run.
source "$TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip "chown to another user needs root"

mkdir memo.d
cp "$TOP/tests/progs/trust/memo.d/big_fill.conf" memo.d/
export MEMO_CONFIG="$T/memo.d" XDG_CACHE_HOME="$T/xdg" MEMO_EXPLAIN=1
MEMO_DISABLE=1 "$P/trust/trust" 4 5000 >plain.out || fail "plain run"

# refused NAME DIR HOW: DIR made empty and refused (HOW: chown or chmod), two
# runs, then DIR must still be empty
refused() {
	local name=$1 dir=$2 how=$3 i
	rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir" || fail "$name: mkdir"
	case $how in
	chown) chown 65534 "$dir" ;;
	chmod) chmod 777 "$dir" ;;
	esac
	for i in 1 2; do
		reset_runs
		under_memo "$P/trust/trust" 4 5000 >"$name.$i.out" 2>"$name.$i.err" ||
			{ cat "$name.$i.err"; fail "$name: run $i"; }
		same plain.out "$name.$i.out" "$name: run $i"
	done
	grep -q "^libmemo: error: '$dir': the cache folder" "$name.1.err" ||
		{ cat "$name.1.err"; fail "$name: the refusal is not said"; }
	expect_eq "$(find "$dir" -mindepth 1 | head -n 5)" "" "$name: what was written into the refused folder"
}

note "the configured folder, owned by another user"
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
refused owned "$T/cache" chown
note "the configured folder, writable by others"
refused writable "$T/cache" chmod

if command -v memcached >/dev/null; then
	start_memcached
	note "the configured folder, owned by another user, in front of memcached"
	printf '[cache]\ndir = %s\nservers = 127.0.0.1:%s\n' "$T/cache" "$MC_PORT" >memo.d/cache.conf
	refused layered "$T/cache" chown
	expect_eq "$(runs big_fill)" 0 "layered: bodies run by the second run (memcached serves)"

	note "memcached alone: the default folder, owned by another user"
	printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nnamespace = alone\n' "$MC_PORT" >memo.d/cache.conf
	refused default "$T/xdg/libmemo" chown
	expect_eq "$(runs big_fill)" 0 "default: bodies run by the second run (memcached serves)"
else
	note "no memcached: the layered and default-folder cases are not run"
fi
