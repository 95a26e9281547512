#!/usr/bin/env bash
# t1432: `memo check -c DIR ELF` names every copy of a function that ELF's
# objects define, and which one each caller binds to (src/cmd/cmd_check.c
# say_copies). copyprog-linked links libcopya.so and libcopyb.so, both
# defining copy_solve: the program's call through its GOT binds to a's,
# b's is reached only from inside libcopyb.so; the prototype is checked
# against each copy's debug info, as the engine does. copyprog, which loads one
# copy only (b's is dlopened), is told no copies.
source "$TOP/tests/lib.sh"
C="$P/copies"

conf_function copy_solve 'int copy_solve(int n)'
"$B/memo" check -c "$T/memo.d" "$C/copyprog-linked" >linked.out 2>&1 ||
	{ cat linked.out; fail "memo check copyprog-linked"; }
for line in "  2 copies, each memoized on its own: $C/libcopya.so $C/libcopyb.so" \
	"  the copy in $C/libcopya.so: calls through the GOT bind to it" \
	"  the copy in $C/libcopyb.so: reached only by calls inside it that bypass its GOT" \
	"  $C/copyprog-linked calls the copy in $C/libcopya.so" \
	"  prototype agrees with the debug info ($C/libcopya.so)" \
	"  prototype agrees with the debug info ($C/libcopyb.so)"; do
	grep -qxF "$line" linked.out || { cat linked.out; fail "not said: '$line'"; }
done
"$B/memo" check -c "$T/memo.d" "$C/copyprog" >one.out 2>&1 || { cat one.out; fail "memo check copyprog"; }
grep -q "copies, each memoized" one.out && { cat one.out; fail "copies told of a program with one"; }
exit 0
