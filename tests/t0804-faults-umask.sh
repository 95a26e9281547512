# The folder store under a umask that strips the owner's bits (0777): the
# folders and files libmemo makes get the modes it needs whatever the umask
# (util_mkdirat, fchmod), so a first run under umask 0777 leaves a cache a
# later run hits; and a folder or entry an earlier run left that its owner
# cannot use (mode 000) is repaired (store_folder.c, prime.c), said, and
# used. Root ignores modes, so under root every run drops the capabilities
# that let it (setpriv); every run is bounded by `timeout`.
source "$TOP/tests/lib.sh"
G="$P/got/gotprog-relro"

if [ "$(id -u)" = 0 ]; then
	unpriv() { setpriv --bounding-set=-dac_override,-dac_read_search -- "$@"; }
else
	unpriv() { "$@"; }
fi
mkdir probe && chmod 000 probe
unpriv ls probe >/dev/null 2>&1 && skip "cannot run without the right to ignore modes (setpriv)"
chmod 700 probe

conf_function got_add 'int got_add(int a, int b)' mechanism=got
export MEMO_CONFIG="$T/memo.d"

# memo NAME UMASK: the program under libmemo and that umask, unprivileged;
# its output in NAME.out and NAME.err (made here, under the test's umask).
memo() {
	local rc
	(umask "$2" && unpriv timeout 30 env LD_PRELOAD="$PRELOAD" "$G" 4) >"$1.out" 2>"$1.err"
	rc=$?
	[ $rc = 0 ] || { cat "$1.err"; fail "$1: failed ($rc)"; }
	same plain.out "$1.out" "$1"
}
quiet() { ! said "$1.err" || { cat "$1.err"; fail "$1: libmemo said something"; }; }

MEMO_DISABLE=1 "$G" 4 >plain.out || fail "plain run"

note "a first run under umask 0777, then others"
conf_cache dir="$T/cache" stats=off
reset_runs
memo first 0777
expect_eq "$(runs got_add)" 2 "first run: bodies run"
quiet first
reset_runs
memo again 0777
expect_eq "$(runs got_add)" 0 "second run under umask 0777: bodies run"
quiet again
reset_runs
memo normal 022
expect_eq "$(runs got_add)" 0 "run under umask 022: bodies run"
quiet normal

note "a cache folder an earlier run left with mode 000"
conf_cache dir="$T/old" stats=off
mkdir old && chmod 000 old
reset_runs
memo repair 022
expect_eq "$(runs got_add)" 2 "bodies run"
grep -q "'$T/old': .*repaired" repair.err || { cat repair.err; fail "the repair was not said"; }
reset_runs
memo repaired 022
expect_eq "$(runs got_add)" 0 "the run after the repair: bodies run"
quiet repaired

note "buckets, entries and the identity cache an earlier run left with mode 000"
find old -mindepth 1 -exec chmod 000 {} +
reset_runs
memo inside 022
expect_eq "$(runs got_add)" 0 "bodies run"
grep -q "'$T/old/.*repaired" inside.err || { cat inside.err; fail "the repair was not said"; }
reset_runs
memo inside2 022
expect_eq "$(runs got_add)" 0 "the run after the repair: bodies run"
quiet inside2

note "a cache folder its owner may read but not write is kept read-only, and hit"
conf_cache dir="$T/ro" stats=off
reset_runs
memo fill 022
chmod 500 ro
reset_runs
memo readonly 022
expect_eq "$(runs got_add)" 0 "bodies run"
expect_eq "$(stat -c %a ro)" 500 "the read-only folder's mode"
