#!/usr/bin/env bash
# Owns: installation. `make install` into DESTDIR/PREFIX puts the objects,
# memo, libmemo.pc (pkg-config gives the preload's path), the man pages
# memo(1) and libmemo(7) and bash completion in place; the installed memo
# finds its library from PREFIX/bin; a memo copied alone says how to point
# it at the library, and finds it through MEMO_LIBRARY; the man pages render
# without warnings and name every command and config key; `make uninstall`
# leaves no file behind.
source "$TOP/tests/lib.sh"
D="$T/dest"
make -C "$TOP" --no-print-directory install B="$B" SAN="${SAN:-0}" DESTDIR="$D" PREFIX=/opt/memo \
	>install.log 2>&1 || { cat install.log; fail "make install"; }
for f in bin/memo lib/libmemo/libmemo.so lib/libmemo/libmemo-engine.so lib/pkgconfig/libmemo.pc \
	share/man/man1/memo.1 share/man/man7/libmemo.7 share/bash-completion/completions/memo; do
	[ -f "$D/opt/memo/$f" ] || fail "not installed: $f"
done

note "pkg-config"
export PKG_CONFIG_PATH="$D/opt/memo/lib/pkgconfig"
expect_eq "$(pkg-config --variable=preload libmemo)" /opt/memo/lib/libmemo/libmemo.so "the preload's path"
expect_eq "$(pkg-config --modversion libmemo)" "$("$B/memo" --version | sed 's/.* //')" "libmemo.pc's version"
expect_eq "$(pkg-config --define-variable=prefix="$D/opt/memo" --variable=preload libmemo)" \
	"$D/opt/memo/lib/libmemo/libmemo.so" "the preload's path under another prefix"

note "the installed memo runs a program memoized"
app="$P/inline/app"
mkdir memo.d
printf '[cache]\ndir = cache\nstats = %s\n' "$T/stats.jsonl" >memo.d/cache.conf
printf '[function simulate]\nprototype = double simulate(int n, double x)\n' >memo.d/simulate.conf
MEMO_DISABLE=1 "$app" 3 3 >plain.out
"$D/opt/memo/bin/memo" run -c memo.d -- "$app" 3 3 >out 2>err || { cat err; fail "installed memo run"; }
same plain.out out "installed memo run"
expect_eq "$(stat_of stats.jsonl simulate hits)" 1 "hits under the installed memo"

note "a memo copied alone"
mkdir alone
cp "$D/opt/memo/bin/memo" alone/memo
alone/memo run -c memo.d -- "$app" 3 >out 2>err && fail "a memo without its library ran"
expect_eq "$?" 2 "exit status without the library"
grep -q "memo: cannot find libmemo.so (looked in .*); set MEMO_LIBRARY to its path" err ||
	{ cat err; fail "not said how to point memo at the library"; }
MEMO_LIBRARY="$D/opt/memo/lib/libmemo/libmemo.so" alone/memo run -c memo.d -- "$app" 3 3 >out 2>err ||
	{ cat err; fail "memo run with MEMO_LIBRARY"; }
same plain.out out "memo run with MEMO_LIBRARY"
MEMO_LIBRARY="$T/nowhere.so" alone/memo run -c memo.d -- "$app" 3 >out 2>err && fail "a wrong MEMO_LIBRARY ran"
grep -q "MEMO_LIBRARY '$T/nowhere.so': No such file" err || { cat err; fail "a wrong MEMO_LIBRARY not said"; }

note "the man pages name every command and config key"
cmds=$("$B/memo" help | sed -n 's/^  memo \([a-z]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 10 ] || fail "the commands were not read from memo help: $cmds"
for cmd in $cmds; do
	grep -q "^\.B memo $cmd" "$TOP/man/memo.1" || fail "memo.1 does not describe 'memo $cmd'"
done
keys=$(sed -n 's/^\t[CF][KS]("\([a-z_]*\)".*/\1/p; s/^\t{ "\([a-z_]*\)", V_.*/\1/p' "$TOP/src/config/config.c")
[ "$(echo "$keys" | wc -w)" -ge 20 ] || fail "the config keys were not read from config.c: $keys"
for key in $keys; do
	grep -q "$key" "$TOP/man/libmemo.7" || fail "libmemo.7 does not describe the key '$key'"
done
if command -v man >/dev/null; then
	for page in man1/memo.1 man7/libmemo.7; do
		MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$D/opt/memo/share/man/$page" >page.txt 2>warn ||
			fail "man -l $page"
		[ -s warn ] && { cat warn; fail "man -l $page: warnings"; }
		grep -q "^NAME" page.txt || fail "man -l $page: nothing rendered"
	done
else
	note "man is not installed: the pages are not rendered"
fi

note "bash completion"
complete_memo() {	# complete_memo WORD...: what completes the last word
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _memo; echo "${COMPREPLY[*]}"' \
		_ "$D/opt/memo/share/bash-completion/completions/memo" "$@"
}
expect_eq "$(complete_memo memo st)" stats "a command"
expect_eq "$(complete_memo memo stats --j)" --json "an option"
expect_eq "$(complete_memo memo flush -c memo.d si)" simulate "a function of the config"

note "make uninstall"
make -C "$TOP" --no-print-directory uninstall B="$B" DESTDIR="$D" PREFIX=/opt/memo >uninstall.log 2>&1 ||
	{ cat uninstall.log; fail "make uninstall"; }
left=$(find "$D" ! -type d)
[ -z "$left" ] || fail "left behind: $left"
exit 0
