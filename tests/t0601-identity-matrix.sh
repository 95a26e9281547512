#!/usr/bin/env bash
# t0601: the identity matrix. One source (tests/progs/identity/matrix.c) built
# in variants one edit away from the baseline, at -O0/-O2/-O3, PIE and not,
# with and without -fcf-protection. The code identity of simulate() must stay
# the same for an unrelated function and string added, and change for a
# literal constant, a string it reads, a callee's body, a callee's callee, an
# imported function swapped (sin -> cos), a callee reached only through a
# const table of function pointers, and a string reached only through a const
# table of string pointers (in a non-PIE executable both tables hold absolute
# addresses with no relocation). Identities of functions an edit does not
# reach must not move either. The C++ program (tests/progs/identity/vtables.cc)
# is built the same way: shade()'s identity changes with a virtual function
# reached through a const table of const objects or through an object a
# factory made, stays for an unrelated edit, and shade() gets no purity
# warning (it reads no global state); the same in a shared library. Where raw
# function bytes would have been wrong (stale: equal though the code changed;
# lost: different though nothing relevant changed) the test reports it.
source "$TOP/tests/lib.sh"

ID="$P/unit/identity_of"
SRC="$TOP/tests/progs/identity/matrix.c"
VT="$TOP/tests/progs/identity/vtables.cc"
[ -x "$ID" ] || fail "'$ID' is not built"

variants="BASE UNRELATED CONST STRING CALLEE CALLEE2 IMPORT TABLE_CALLEE TABLE_STRING"
vt_variants="BASE UNRELATED VIRTUAL MADE"
modes=""
for o in O0 O2 O3; do
	for pie in pie nopie; do
		for cf in cf nocf; do
			modes="$modes $o-$pie-$cf"
		done
	done
done
flags_of() {
	local o=${1%%-*} rest=${1#*-} f
	f="-$o -g0"
	case $rest in pie-*) f="$f -fPIE -pie" ;; *) f="$f -fno-pie -no-pie" ;; esac
	case $rest in *-cf) f="$f -fcf-protection=full" ;; *) f="$f -fcf-protection=none" ;; esac
	echo "$f"
}

# Build every variant, two compilers at a time; vtables.cc also as a shared
# library, which reaches its own vtables by symbol (through its GOT).
mkdir -p bin
{
	for m in $modes; do
		for v in $variants; do
			echo "gcc bin/$m.$v $SRC $(flags_of "$m") -DV_$v"
		done
		for v in $vt_variants; do
			echo "g++ bin/vt-$m.$v $VT $(flags_of "$m") -DV_$v"
		done
	done
	for o in O0 O2; do
		for v in $vt_variants; do
			echo "g++ bin/vt-lib-$o.$v $VT -$o -g0 -fPIC -shared -DV_$v"
		done
	done
} | xargs -P2 -L1 sh -c 'cc=$1 out=$2 src=$3; shift 3; exec $cc "$@" -o "$out" "$src" -lm' sh ||
	fail "building the matrix failed"

ident() { "$ID" "bin/$1.$2" simulate helper deep even odd >"out/$1.$2" || fail "identity_of '$1.$2' failed"; }
field() { sed -n "s/^$3 .*$2=\([^ ]*\).*/\1/p" "out/$1"; }	# FILE FIELD SYMBOL

# vt_checks MODE: shade's identity in vtables.cc's variants built in MODE
# changes with each edit but the unrelated one; shade gets no purity warning.
vt_checks() {
	local m=$1 base id v
	for v in $vt_variants; do
		"$ID" "bin/vt-$m.$v" shade >"out/vt-$m.$v" || fail "identity_of 'vt-$m.$v' failed"
	done
	base=$(field "vt-$m.BASE" identity shade)
	[ -n "$base" ] || fail "vt-$m: no identity for shade"
	for v in $vt_variants; do
		[ $v = BASE ] && continue
		id=$(field "vt-$m.$v" identity shade)
		checks=$((checks + 1))
		if [ $v = UNRELATED ]; then
			[ "$id" = "$base" ] || fail "vt-$m: an unrelated function and string changed the identity of shade"
		else
			[ "$id" != "$base" ] || fail "vt-$m: edit $v left the identity of shade unchanged"
		fi
	done
	# Its const objects, its vtables and the C++ runtime's typeinfo vtables
	# are no global state: listing them in 'globals =' could not help.
	grep -q "^shade .*globals=$" "out/vt-$m.BASE" ||
		fail "vt-$m: shade reads no writable global, but: $(sed -n 's/.*globals=//p' "out/vt-$m.BASE")"
}

mkdir -p out
stale=0 lost=0 checks=0
for m in $modes; do
	for v in $variants; do ident "$m" "$v"; done
	# The identity is a pure function of the file: the same in another process.
	"$ID" "bin/$m.BASE" simulate helper deep even odd >"out/$m.again"
	same "out/$m.BASE" "out/$m.again" "identity recomputed for $m"
	# The unrelated edit changes nothing the program does.
	./"bin/$m.BASE" 20 0.5 >"out/$m.run.BASE" && ./"bin/$m.UNRELATED" 20 0.5 >"out/$m.run.UNRELATED" ||
		fail "$m: the program failed"
	same "out/$m.run.BASE" "out/$m.run.UNRELATED" "$m: baseline and unrelated edit"

	base=$(field "$m.BASE" identity simulate)
	[ -n "$base" ] || fail "$m: no identity for simulate"
	for v in $variants; do
		[ $v = BASE ] && continue
		id=$(field "$m.$v" identity simulate)
		raw_same=no
		[ "$(field "$m.$v" raw simulate)" = "$(field "$m.BASE" raw simulate)" ] && raw_same=yes
		checks=$((checks + 1))
		if [ $v = UNRELATED ]; then
			[ "$id" = "$base" ] || fail "$m: an unrelated function and string changed the identity of simulate"
			[ $raw_same = no ] && { lost=$((lost + 1)); note "$m $v: raw bytes differ (a raw key would lose the cache); identity kept"; }
		else
			[ "$id" != "$base" ] || fail "$m: edit $v left the identity of simulate unchanged"
			[ $raw_same = yes ] && { stale=$((stale + 1)); note "$m $v: raw bytes identical (a raw key would serve stale results); identity changed"; }
		fi
	done

	# By nothing else: functions an edit does not reach keep their identity.
	for sym in even odd; do
		for v in UNRELATED CONST STRING CALLEE CALLEE2 IMPORT TABLE_CALLEE TABLE_STRING; do
			expect_eq "$(field "$m.$v" identity $sym)" "$(field "$m.BASE" identity $sym)" "$m: identity of $sym after $v"
		done
	done
	for v in UNRELATED CONST STRING IMPORT TABLE_CALLEE TABLE_STRING; do
		expect_eq "$(field "$m.$v" identity helper)" "$(field "$m.BASE" identity helper)" "$m: identity of helper after $v"
	done
	for v in CALLEE CALLEE2; do
		[ "$(field "$m.$v" identity helper)" != "$(field "$m.BASE" identity helper)" ] ||
			fail "$m: identity of helper unchanged after $v"
	done
	[ "$(field "$m.CALLEE2" identity deep)" != "$(field "$m.BASE" identity deep)" ] ||
		fail "$m: identity of deep unchanged after CALLEE2"

	# The writable global simulate reads is named for the purity warning.
	grep -q "^simulate .*globals=.*simulate_calls" "out/$m.BASE" ||
		fail "$m: simulate_calls missing from the globals simulate reads"

	./"bin/vt-$m.BASE" 20 0.5 >"out/vt-$m.run.BASE" && ./"bin/vt-$m.UNRELATED" 20 0.5 >"out/vt-$m.run.UNRELATED" ||
		fail "vt-$m: the program failed"
	same "out/vt-$m.run.BASE" "out/vt-$m.run.UNRELATED" "vt-$m: baseline and unrelated edit"
	vt_checks "$m"
done
for o in O0 O2; do
	vt_checks "lib-$o"
done
note "$checks identity checks passed; raw bytes would have been stale $stale times and lost the cache $lost times"
