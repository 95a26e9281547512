#!/usr/bin/env bash
# Owns: memo config (src/cmd/cmd_config.c): every setting in effect, each
# with where it came from (file:line, the environment, or the default), as
# ccache -p shows its own: a folder of two files, a prototype folded over two
# lines shown whole, a decimal size in its unit, MEMO_STATS over `stats`,
# two versions of one symbol kept apart, and a config with an error refused
# with the error.
source "$TOP/tests/lib.sh"

MEMO="$B/memo"
mkdir memo.d
printf '[cache]\ndir = cache\nmax_size = 1.5G\nstats = run.jsonl\n' >memo.d/cache.conf
printf '[function f]\nprototype = double f(const double x[n],\n    size_t n)\ntime_threshold = 0.5\n' >memo.d/f.conf
unset MEMO_STATS MEMO_LOG MEMO_STRICT MEMO_DISABLE MEMO_EXPLAIN MEMO_CONFIG
"$MEMO" config -c memo.d >out 2>err || { cat err; fail "memo config"; }
[ -s err ] && { cat err; fail "memo config said something on stderr"; }
cat >expected <<EOF2
[cache] (memo.d/cache.conf:1)
(memo.d/cache.conf:2) dir = $T/memo.d/cache
(default) servers = (none)
(default) connect_timeout_ms = 50
(default) timeout_ms = 50
(default) timeout_max_ms = 500
(memo.d/cache.conf:3) max_size = 1536M
(default) small_store = yes
(memo.d/cache.conf:4) stats = $T/memo.d/run.jsonl
(default) namespace = (none)
(default) secret_file = (none)
(default) sasl_user = (none)
(default) sasl_password_file = (none)

[function f] (memo.d/f.conf:1)
(memo.d/f.conf:2) prototype = double f(const double x[n], size_t n)
(default) ignore_args = (none)
(memo.d/f.conf:4) time_threshold = 0.5
(default) allow_repeated_evaluations = no
(default) rtol_stderr = 0.1
(default) min_repetitions = 3
(default) max_repetitions = 100
(default) mechanism = auto
(default) object = (none)
(default) return = (none)
(default) single_flight = no
(default) single_flight_wait_s = 10
(default) verify = 0
(default) globals = (none)

environment:
EOF2
sed "s|$(pwd -P)|$T|g" out >out.t
same expected out.t "memo config"

note "MEMO_STATS wins over stats, and the environment is listed"
MEMO_STATS=other.jsonl MEMO_LOG=info "$MEMO" config -c memo.d >out 2>/dev/null || fail "memo config, MEMO_STATS"
grep -qx '(environment MEMO_STATS) stats = other.jsonl' out || { cat out; fail "MEMO_STATS not shown as the origin of stats"; }
grep -qx 'environment: MEMO_LOG=info MEMO_STATS=other.jsonl' out || { cat out; fail "environment not listed"; }

note "two versions of one symbol: each section's settings have their own origins"
mkdir v.d
printf '[function g@V1]\nprototype = double g(double x)\ntime_threshold = 1\n' >v.d/g1.conf
printf '[function g@V2]\nprototype = double g(double x)\n' >v.d/g2.conf
"$MEMO" config -c v.d >out 2>/dev/null || fail "memo config, two versions"
sed -n '/^\[function g@V2\]/,$p' out | grep -qx '(default) time_threshold = 0' ||
	{ cat out; fail "g@V2's time_threshold given g@V1's origin"; }
sed -n '/^\[function g@V1\]/,/^$/p' out | grep -qx '(v.d/g1.conf:3) time_threshold = 1' ||
	{ cat out; fail "g@V1's time_threshold: origin"; }

note "no [cache] section: the defaults, said so; MEMO_CONFIG as the config"
rm memo.d/cache.conf
XDG_CACHE_HOME="$T/xdg" MEMO_CONFIG="$T/memo.d" "$MEMO" config >out 2>/dev/null || fail "memo config without [cache]"
grep -qx '\[cache\] (no section: every setting is its default)' out || { cat out; fail "no [cache]: not said"; }
grep -qx "(default) dir = $T/xdg/libmemo" out || { cat out; fail "no [cache]: the default dir"; }

note "a config with an error"
printf '[function g]\nprototype = double g(flot x)\n' >memo.d/g.conf
"$MEMO" config -c memo.d >out 2>err && fail "memo config accepted a config with an error"
grep -q 'g.conf:2:.*unknown type' err || { cat err; fail "the error not said"; }
exit 0
