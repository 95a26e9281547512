#!/usr/bin/env bash
# Valid configs load into exactly the settings expected: every scalar type
# spelling, every argument kind and return rule, lengths over several
# arguments, a file and a folder (read in sorted order, other files skipped),
# relative paths resolved against the config's own folder, and the defaults
# (XDG_CACHE_HOME, then HOME), lines longer than inih reads (long-lines),
# and a folder's other files named.
# Compared byte for byte with
# tests/data/config/valid/*.out, where T stands for the test's folder.
source "$TOP/tests/lib.sh"

D="$TOP/tests/data/config/valid"
cp -r "$D"/. .
R=$(pwd -P)

# check EXPECTED PATH: load PATH, compare the dump with EXPECTED.out
check() {
	"$P/unit/config_check" "$2" >out 2>err || { cat err out >&2; fail "$2: config_check failed"; }
	[ -s err ] && { cat err >&2; fail "$2: printed messages on a valid config"; }
	sed "s|$R|T|g" out >out.t
	same "$D/$1.out" out.t "$2"
}

export HOME="$R/home" XDG_CACHE_HOME=
check types types.conf
check kinds kinds.conf
check rules rules.conf
check long-lines long-lines.conf
check defaults-home defaults.conf
# A folder, with and without a trailing slash, from elsewhere: relative
# paths follow the config, not the working folder.
check folder memo.d
check folder memo.d/
mkdir elsewhere && cd elsewhere
"$P/unit/config_check" ../memo.d | sed "s|$R|T|g; s|\.\./memo\.d|memo.d|" >out.t
same "$D/folder.out" out.t "folder from another working folder"
cd ..
# A file of the folder that is not *.conf is named: at MEMO_LOG=info, or as
# a warning when its name says it was meant as a config (NAME.ini).
cp -r memo.d named && printf '[function integrate]\n' >named/integrate.ini
"$P/unit/config_check" named >out 2>err || fail "named: config_check failed"
expect_eq "$(cat err)" "libmemo: warning: 'named/integrate.ini': not read: only *.conf files of a config folder are (rename it to end in .conf)" "named: what is said"
MEMO_LOG=info "$P/unit/config_check" named >/dev/null 2>err || fail "named: config_check failed"
grep -qx "libmemo: 'named/README': not read: only \*.conf files of a config folder are" err ||
	{ cat err; fail "named, MEMO_LOG=info: README not named"; }
# XDG_CACHE_HOME wins over HOME when absolute; a relative one is ignored.
XDG_CACHE_HOME=/xdg/cache check defaults-xdg defaults.conf
XDG_CACHE_HOME=relative check defaults-home defaults.conf
# With neither, there is no default folder store.
HOME= XDG_CACHE_HOME= check defaults-none defaults.conf
exit 0
