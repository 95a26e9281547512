#!/usr/bin/env bash
# t0607: an object reloaded in one process is identified anew (src/boot/
# activate.c retires the hooks of an unloaded object; src/patch/got.c sees
# the dlclose; src/find/elf.c reads the file now at the path). A plugin host
# (tests/progs/reload) dlopens libreuser.so, which calls reload_f of its
# dependency libreplug.so through its PLT; it dlcloses both, renames another
# build of libreplug.so over the file (reload_f(5): 11, then 12) and dlopens
# again. With mechanism got, auto and inline, and with dlclose called through
# the host's GOT or through a pointer from dlsym: every run prints what it
# prints without libmemo, the new build's calls are memoized under its own
# identity, and nothing it computed is stored under the old build's: a later
# process running the old build gets the old build's values, one running the
# new build is served the new build's.
source "$TOP/tests/lib.sh"
R="$P/reload"

# plugins DIR BUILD: DIR holds libreuser.so and build BUILD of libreplug.so
plugins() {
	rm -rf "$1" && mkdir -p "$1" && cp "$R/libreuser.so" "$R/v$2/libreplug.so" "$1/" ||
		fail "plugins $1"
}
# host NAME BUILD [NEW [early]]: the host on a fresh DIR of that build,
# renaming build NEW over it after the first dlclose (early: before the first
# call); plain and under libmemo, same output.
host() {
	local name=$1 build=$2 new=${3:-} early=${4:-}
	plugins "plain-$name" "$build"
	[ -n "$new" ] && cp "$R/v$new/libreplug.so" "plain-$name/new.so"
	MEMO_DISABLE=1 "$R/reloadhost" "$T/plain-$name" ${new:+"$T/plain-$name/new.so"} $early \
		>"$name.plain" || { cat "$name.plain"; fail "$name without libmemo"; }
	plugins "$name" "$build"
	[ -n "$new" ] && cp "$R/v$new/libreplug.so" "$name/new.so"
	reset_runs
	under_memo "$R/reloadhost" "$T/$name" ${new:+"$T/$name/new.so"} $early >"$name.out" 2>"$name.err" ||
		{ cat "$name.out" "$name.err"; fail "$name under libmemo"; }
	same "$name.plain" "$name.out" "$name"
}

plugins check 1
cp "$R/v2/libreplug.so" check/new.so
MEMO_DISABLE=1 "$R/reloadhost" "$T/check" "$T/check/new.so" >check.out || fail "plain host"
grep -q "after the reload: g(5) = 12" check.out || { cat check.out; fail "the plain host does not reload"; }

mkdir memo.d
export MEMO_CONFIG="$T/memo.d"
for by in got pointer; do
	for mech in got auto inline; do
		note "mechanism $mech, dlclose through the $by"
		rm -rf cache memo.d/*
		conf_cache dir="$T/cache"
		conf_function reload_f 'int reload_f(int x)' mechanism=$mech
		if [ $by = pointer ]; then export RELOAD_DLCLOSE_BY_POINTER=1; else unset RELOAD_DLCLOSE_BY_POINTER; fi

		MEMO_LOG=info host "reload-$mech-$by" 1 2
		grep -q "'reload_f': '.*/libreplug.so' was unloaded" "reload-$mech-$by.err" ||
			{ cat "reload-$mech-$by.err"; fail "$mech/$by: the unload is not said"; }
		# build 1: g(5) once; build 2: g(5) and g(6) once each
		expect_eq "$(runs reload_f)" 3 "$mech/$by: bodies run in the reloading process"

		# the old build, in a later process (reloaded too, the same file):
		# only g(6) is new to it, and it is 13, never the new build's 14
		host "old-$mech-$by" 1
		expect_eq "$(runs reload_f)" 1 "$mech/$by: bodies run by the old build later"

		# the new build, in a later process: everything was stored under its identity
		host "new-$mech-$by" 2
		expect_eq "$(runs reload_f)" 0 "$mech/$by: bodies run by the new build later"
	done
done

# Another build installed over the file while the old one stays loaded: the
# old code is not identified from the new file (prime.c refuses it, and its
# calls run unmemoized) until the reload loads the new one.
for mech in got auto; do
	note "mechanism $mech: the file replaced before the first call"
	rm -rf cache memo.d/*
	conf_cache dir="$T/cache"
	conf_function reload_f 'int reload_f(int x)' mechanism=$mech
	host "early-$mech" 1 2 early
	grep -q "'reload_f' .*\[no-identity\]" "early-$mech.err" ||
		{ cat "early-$mech.err"; fail "$mech: the replaced file is not said"; }
	# build 1, unmemoized: g(5) twice; build 2: g(5) and g(6) once each
	expect_eq "$(runs reload_f)" 4 "$mech: bodies run with the file replaced early"
	host "early-new-$mech" 2
	expect_eq "$(runs reload_f)" 0 "$mech: bodies run by the new build later"
	host "early-old-$mech" 1
	expect_eq "$(runs reload_f)" 2 "$mech: bodies run by the old build later (nothing was stored for it)"
done
