#!/usr/bin/env bash
# Owns: libmemo.so finds the main program's file (to see its .symtab, where
# a static function is) however the program was started: by its path, by a
# relative name, through a symlink, and as the interpreter of a #! script
# (the name it was started by is then the script's: src/boot/preload.c falls
# back to /proc/self/exe). In each, the static function is memoized: the
# second start runs no body.
source "$TOP/tests/lib.sh"
app="$P/inline/app"

nm "$app" | grep -q ' t simulate$' || fail "the test program lost its static simulate"
mkdir memo.d
printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >memo.d/simulate.conf
printf '[cache]\ndir = cache\nstats = off\n' >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
ln -s "$app" app-link
printf '#!%s 4\n' "$app" >script
chmod +x script

for how in path relative link script; do
	case $how in
	path) cmd=("$app" 4) ;;
	relative) cmd=(./app 4) ;;
	link) cmd=(./app-link 4) ;;
	script) cmd=(./script) ;;
	esac
	rm -rf memo.d/cache
	[ $how = relative ] && cd "$P/inline"
	for n in first second; do
		reset_runs
		under_memo "${cmd[@]}" >"$T/$how.$n.out" 2>"$T/$how.$n.err" ||
			{ cat "$T/$how.$n.err"; fail "$how: $n run"; }
	done
	cd "$T"
	expect_eq "$(runs simulate)" 0 "$how: body runs in the second start"
	same "$how.first.out" "$how.second.out" "$how: both starts"
done
exit 0
