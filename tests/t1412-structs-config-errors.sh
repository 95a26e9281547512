#!/usr/bin/env bash
# t1412: [types] declarations that are wrong, and prototypes naming structs
# that are not declared or cannot go by value, each refused with FILE:LINE:COL
# and how to fix it (src/config/types.c, src/config/proto.c); the program then
# runs unmemoized. A struct named in a prototype may be declared in any file
# (b.conf's `struct ok` is declared in a.conf), a field's struct above it;
# one no file declares (`struct nowhere`) is left for the debug info (t1414).
source "$TOP/tests/lib.sh"

mkdir memo.d
cat >memo.d/a.conf <<'CONF'
[types]
struct = { double x; }
struct r1 = { double x }
struct r2 = double x;
struct r3 = { double *p; }
struct r4 = { struct later l; int k; }
struct r5 = { double v[0]; }
struct r6 = { mytype x; }
union u = { int a; }
struct ok = { double a; int b[2]; }
struct ok = { int a; }
struct ld = { long double x; }
struct many = {
	double a; }
[typse]
CONF
cat >memo.d/b.conf <<'CONF'
[function f]
prototype = double f(int n, struct nowhere x)
[function g]
prototype = double g(struct ld x)
[function h]
prototype = struct ld h(const struct ld x[n], int n)
[function k]
prototype = elsewhere k(int n)
[function m]
prototype = double m(struct ok a, const struct ok b[n], int n)
CONF
cat >expected <<'EOF2'
libmemo: error: memo.d/a.conf:2:1: 'struct' is not a struct declaration (write 'struct NAME = { double lo; double hi; }', or 'NAME = { ... }' for a typedef name)
libmemo: error: memo.d/a.conf:3:24: expected ';' after field 'x', found '}'
libmemo: error: memo.d/a.conf:4:13: expected '{' to start the fields, found 'double' (write 'struct NAME = { double lo; double hi; }')
libmemo: error: memo.d/a.conf:5:22: a pointer field cannot be keyed (its address would be hashed, not what it points to): pass what it points to as an argument of its own
libmemo: error: memo.d/a.conf:6:22: 'struct later' is not declared yet (declare it above, in [types])
libmemo: error: memo.d/a.conf:7:24: bad length '0' of field 'v' (1 to 65535)
libmemo: error: memo.d/a.conf:8:15: 'mytype' is not declared yet (declare it above, in [types])
libmemo: error: memo.d/a.conf:9:1: 'union u' is not a struct declaration (write 'struct NAME = { double lo; double hi; }', or 'NAME = { ... }' for a typedef name)
libmemo: error: memo.d/a.conf:11:1: 'ok' is declared twice in [types] (first at memo.d/a.conf:10)
libmemo: error: memo.d/a.conf:13:16: missing '}' at the end of the fields
libmemo: error: memo.d/a.conf:14: a [types] declaration cannot continue on an indented line (write it on one line)
libmemo: error: memo.d/a.conf:15: unknown section '[typse]' (did you mean 'types'?)
libmemo: error: memo.d/b.conf:4:22: 'ld' of parameter 'x' holds a long double in 16 bytes: libffi does not pass that by value as the psABI says (pass it by pointer)
libmemo: error: memo.d/b.conf:6:13: 'ld' of the return holds a long double in 16 bytes: libffi does not pass that by value as the psABI says (pass it by pointer)
libmemo: error: memo.d/b.conf:8:13: unknown type 'elsewhere' of the return (known: C integer and floating types, size_t, intN_t, uintN_t..., a struct declared in [types])
libmemo: error: 15 errors in 'memo.d'; running unmemoized
EOF2
MEMO_CONFIG=memo.d under_memo /bin/echo ran >out 2>err || fail "the program failed"
expect_eq "$(cat out)" ran "the program's output"
diff expected err >&2 || fail "the errors differ"

note "memo check says the same"
"$B/memo" check -c memo.d >check.out 2>&1 && { cat check.out; fail "memo check accepted it"; }
grep -qF "memo.d/b.conf:4:22: 'ld' of parameter 'x' holds a long double in 16 bytes" check.out ||
	{ cat check.out; fail "memo check: the long double struct not said"; }
exit 0
