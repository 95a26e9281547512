#!/usr/bin/env bash
# t0128: every name on the deny list (src/find/symbols.c deny_names) is
# refused [denied] at start-up, each said with its config line, and the
# names beside them are not: sym_denied halves the table, which is kept in
# byte order (LC_ALL=C sort) for that; a name out of order would be passed
# over and its function patched under libmemo's own calls. A name of the
# list followed by more letters, and two found functions, are memoized.
source "$TOP/tests/lib.sh"

names=$(python3 - "$TOP/src/find/symbols.c" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
table = re.search(r'deny_names\[\]\[\d+\] = \{(.*?)\n\};', src, re.S)
print("\n".join(re.findall(r'"([^"]+)"', table.group(1))))
PY
) || fail "cannot read the deny list"
[ "$(wc -l <<<"$names")" -ge 200 ] || fail "the deny list read has $(wc -l <<<"$names") names"
LC_ALL=C sort -c <<<"$names" || fail "deny_names is not in byte order (above)"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
while read -r name; do
	conf_function "$name" "int $name(int x)"
done <<<"$names"
# not on the list: a listed name with a suffix (in no loaded object), and
# two functions of libc
conf_function mallocx 'int mallocx(int x)'
conf_function labs 'long labs(long j)'
conf_function strverscmp 'int strverscmp(const char *a, const char *b)'
MEMO_LOG=info under_memo /bin/true 2>err || { tail err; fail "true under libmemo"; }
while read -r name; do
	grep -q "^libmemo: .*'$name' (.*/$name\.conf:1) cannot be memoized \[denied\]" err ||
		{ grep -F "'$name'" err; fail "'$name' was not refused [denied]"; }
done <<<"$names"
expect_eq "$(grep -c '\[denied\]' err)" "$(wc -l <<<"$names")" "names refused [denied]"
grep -Eq "'mallocx' \(.*\) \[(not-found|stripped)\]: symbol 'mallocx' not found" err ||
	{ grep mallocx err; fail "mallocx: not said missing"; }
grep -q "'labs' memoized" err || { grep labs err; fail "labs was not memoized"; }
grep -q "'strverscmp' memoized" err || { grep strverscmp err; fail "strverscmp was not memoized"; }
exit 0
