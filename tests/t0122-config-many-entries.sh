#!/usr/bin/env bash
# t0122: a config's [function] entries and their prototypes' arguments, read
# together, are each exactly what the entry's file alone gives: 70 functions
# (past the entries' first mapping of 64, which then grows and may move),
# prototypes of 0 to 32 arguments (each prototype's arguments kept in the
# names' pool, several pool chunks in all), lengths naming other arguments,
# and a prototype of over 1,500 characters on several lines (past the
# loader's room for a prototype's text). src/config/config.c, proto.c,
# strpool.c.
source "$TOP/tests/lib.sh"

mkdir memo.d
printf '[cache]\ndir = %s\nstats = off\n' "$T/cache" >memo.d/cache.conf
for i in $(seq -w 0 69); do
	n=$((10#$i % 33))	# 0..32 arguments
	args=
	for a in $(seq 1 "$n"); do
		case $((a % 4)) in
		0) args+="${args:+, }const double arr_$a[count_$((a - 1)) + $a]" ;;
		*) args+="${args:+, }long count_$a" ;;
		esac
	done
	printf '[function f%s]\nprototype = double f%s(%s)\n' "$i" "$i" "${args:-void}" >"memo.d/f$i.conf"
done
# A prototype of 32 arguments with long names, continued on indented lines.
{
	printf '[function g_long]\nprototype = double g_long(long count_of_elements_0'
	for a in $(seq 1 31); do
		if [ $((a % 4)) = 0 ]; then printf ',\n    '; else printf ', '; fi
		printf 'const double a_rather_long_argument_name_number_%02d[count_of_elements_0]' "$a"
	done
	printf ')\n'
} >memo.d/g_long.conf
[ "$(wc -c <memo.d/g_long.conf)" -gt 1500 ] || fail "g_long.conf is not as long as meant"

# dump PATH: the [function] blocks config_check prints for PATH
dump() {
	"$P/unit/config_check" "$1" >dump.out 2>dump.err || { cat dump.err; fail "$1: config_check failed"; }
	[ -s dump.err ] && { cat dump.err; fail "$1: printed messages on a valid config"; }
	sed -n '/^\[function /,$p' dump.out
}
dump memo.d >together.txt
: >alone.txt
for f in memo.d/f*.conf memo.d/g_long.conf; do
	dump "$f" >>alone.txt
done
expect_eq "$(grep -c '^\[function ' together.txt)" 71 "functions read together"
expect_eq "$(grep -c '^arg 31 = ' together.txt)" 3 "prototypes of 32 arguments"
grep -q '^arg 31 = a_rather_long_argument_name_number_31: ' together.txt ||
	fail "the long prototype's last argument is not there"
same alone.txt together.txt "entries read together vs each file alone"
exit 0
