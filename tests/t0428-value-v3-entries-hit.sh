#!/usr/bin/env bash
# Entries of format version 3, as main's build wrote them before version 4
# (issue 17: without a secret, version 4's check is XXH3-128; version 3's is
# BLAKE2b-256), keep hitting, through memcached and the folder store, plain
# and with secret_file: this build writes version 4; tests/forge.py rewrites
# each entry as version 3 wrote it (the same bytes but the version and the
# check, which is BLAKE2b, keyed with the secret when there is one; checked
# against main's own entries whole by tests/unit/hit_format.c, t0427); the
# next run serves every call from them, none computed, none rejected.
source "$TOP/tests/lib.sh"
FORGE="$TOP/tests/forge.py"

mkdir memo.d
cp "$TOP/tests/progs/shapes/memo.d/dot.conf" memo.d/
export MEMO_CONFIG="$T/memo.d"
bin="$P/shapes/shapes-now"
MEMO_DISABLE=1 "$bin" 1 >plain.out || fail "plain run"
head -c 32 /dev/urandom >secret && chmod 600 secret

for store in folder memcached; do
	for mode in plain mac; do
		what="$store, $mode"
		rm -rf cache
		if [ $store = memcached ]; then
			start_memcached
			conf_cache dir=off servers="127.0.0.1:$MC_PORT" stats="$T/s.jsonl"
			at="memcached:$MC_PORT"
		else
			conf_cache dir="$T/cache" small_store=off stats="$T/s.jsonl"
			at="folder:$T/cache"
		fi
		secret=()
		if [ $mode = mac ]; then
			echo "secret_file = $T/secret" >>memo.d/cache.conf
			secret=(--secret "$T/secret")
		fi
		: >s.jsonl
		under_memo "$bin" 1 >first.out 2>first.err || { cat first.err; fail "$what: first run"; }
		same plain.out first.out "$what: first run"
		expect_eq "$(python3 "$FORGE" versions "$at" | cut -d' ' -f2 | sort | uniq -c | xargs)" "2 4" \
			"$what: this build's entries, by version"
		expect_eq "$(python3 "$FORGE" rewrite "$at" v3 "${secret[@]}")" 2 "$what: entries made version 3"
		expect_eq "$(python3 "$FORGE" verify "$at" "${secret[@]}" | cut -d' ' -f2 | xargs)" "ok ok" \
			"$what: version 3's checks"
		reset_runs
		under_memo "$bin" 1 >v3.out 2>v3.err || { cat v3.err; fail "$what: run on version 3"; }
		same plain.out v3.out "$what: run on version 3"
		said v3.err && { cat v3.err; fail "$what: said something"; }
		expect_eq "$(stat_of s.jsonl dot hits)/$(stat_of s.jsonl dot rejected)/$(runs dot)" 2/0/0 \
			"$what: hits/rejected/bodies run on version 3 entries"
		expect_eq "$(python3 "$FORGE" versions "$at" | cut -d' ' -f2 | sort | uniq -c | xargs)" "2 3" \
			"$what: the entries served, as they were"
		[ $store = memcached ] && stop_pid "$MC_PID"
	done
done
