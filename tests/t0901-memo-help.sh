#!/usr/bin/env bash
# Owns: the memo command's arguments (src/cmd/args.c, src/cmd/memo.c). Every
# subcommand takes --help: its usage on stdout, exit 0, and nothing done (the
# cache folder byte for byte as before, no program run, no file read). An
# unknown option is refused with the usage (exit 2), as is a command's
# missing or extra argument. `memo help`, `memo help COMMAND`, `memo
# --version`. `memo flush` refuses a symbol the config does not name, with
# the closest one, and flushes nothing.
source "$TOP/tests/lib.sh"

MEMO="$B/memo"
mkdir memo.d
cp "$TOP"/tests/progs/shapes/memo.d/{dot,fill,sc_i32}.conf memo.d/
printf '[cache]\ndir = %s\n' "$T/cache" >memo.d/cache.conf
bin="$P/shapes/shapes-now"
"$MEMO" run -c memo.d -- "$bin" 1 >/dev/null 2>&1 || fail "memo run"
"$MEMO" flush -c memo.d dot >/dev/null || fail "memo flush dot"

# snapshot: every file of the cache with its size, mtime and content digest
# small2.mdb-lock: LMDB's table of readers, written by every open of the store
snapshot() { find cache ! -name small2.mdb-lock -printf '%P %s %T@ %y\n' | sort; find cache -type f ! -name small2.mdb-lock -exec md5sum {} + | sort; }
snapshot >before
touch ./--help			# a file by that name must not be read as an argument

for cmd in run check config stats flush clear evict export import report inspect init; do
	c="-c memo.d"
	case $cmd in inspect|init) c= ;; esac	# the ones that take no config
	for h in --help -h; do
		"$MEMO" $cmd $c $h >out 2>err || fail "memo $cmd $h: exit $?"
		grep -q "^usage: memo $cmd " out || { cat out; fail "memo $cmd $h: no usage on stdout"; }
		[ -s err ] && { cat err; fail "memo $cmd $h: said something on stderr"; }
	done
	"$MEMO" help $cmd >hout || fail "memo help $cmd"
	cmp -s out hout || fail "memo help $cmd differs from memo $cmd --help"
	"$MEMO" $cmd $c --bogus >out 2>err && fail "memo $cmd accepted --bogus"
	expect_eq "$?" 2 "memo $cmd --bogus: exit status"
	grep -q "memo: $cmd: unknown option '--bogus'" err || { cat err; fail "memo $cmd --bogus: not said"; }
	grep -q "^usage: memo $cmd " err || { cat err; fail "memo $cmd --bogus: no usage"; }
done
"$MEMO" flush -c memo.d --help dot >/dev/null || fail "memo flush --help dot"
"$MEMO" run -c memo.d --help -- "$bin" 1 >out || fail "memo run --help CMD"
grep -q '^usage: memo run' out || fail "memo run --help ran its command"
snapshot >after
cmp -s before after || { diff before after; fail "--help changed the cache"; }

note "options each command does not take"
"$MEMO" stats -c memo.d --jsno >/dev/null 2>err; expect_eq "$?" 2 "memo stats --jsno"
"$MEMO" stats -c memo.d -v >/dev/null 2>err; expect_eq "$?" 2 "memo stats -v"
"$MEMO" stats -c memo.d dot >/dev/null 2>err; expect_eq "$?" 2 "memo stats SYMBOL"
grep -q "unexpected argument 'dot'" err || { cat err; fail "memo stats dot: not said"; }
"$MEMO" inspect >/dev/null 2>err; expect_eq "$?" 2 "memo inspect without ELF"
"$MEMO" inspect -c memo.d "$bin" >/dev/null 2>err; expect_eq "$?" 2 "memo inspect -c (it takes no config)"
"$MEMO" run -c memo.d >/dev/null 2>err; expect_eq "$?" 2 "memo run without a command"
"$MEMO" run -c >/dev/null 2>err; expect_eq "$?" 2 "memo run -c without DIR"

note "memo, memo help, memo --version, an unknown command"
"$MEMO" >/dev/null 2>err; expect_eq "$?" 2 "memo alone"
grep -q '^usage: memo COMMAND' err || fail "memo alone: no usage"
"$MEMO" help >out || fail "memo help"
for cmd in run check config stats flush clear evict export import report inspect init help; do grep -q "^  memo $cmd " out || fail "memo help does not list $cmd"; done
"$MEMO" --version >out || fail "memo --version"
grep -Eq '^memo \(libmemo\) [0-9]+\.[0-9]+\.[0-9]+$' out || { cat out; fail "memo --version"; }
"$MEMO" chek >/dev/null 2>err; expect_eq "$?" 2 "memo chek"
grep -q "unknown command 'chek' (did you mean 'check'?)" err || { cat err; fail "memo chek: no hint"; }

note "memo flush of a symbol the config does not name"
"$MEMO" flush -c memo.d dto >out 2>err; expect_eq "$?" 1 "memo flush dto: exit status"
grep -q "'dto' is not a function of the config (did you mean 'dot'?)" err || { cat err; fail "memo flush dto: no hint"; }
[ -s out ] && { cat out; fail "memo flush dto said it flushed"; }
"$MEMO" flush -c memo.d zzzzzz >/dev/null 2>err; expect_eq "$?" 1 "memo flush zzzzzz"
snapshot >after
cmp -s before after || { diff before after; fail "a refused flush changed the cache"; }
"$MEMO" flush -c memo.d fill >out || fail "memo flush fill"
grep -q "^flushed 'fill'" out || { cat out; fail "memo flush fill"; }
exit 0
