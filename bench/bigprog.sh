#!/bin/sh
# bigprog.sh N: the C source of a program with N small functions (so N
# symbols), whose main calls a few of them and, given an argument, target()
# (and only then prints).
# bench/run measures its start-up with target() configured: what a large
# program pays for libmemo's look at its symbol table.
n=${1:?usage: bigprog.sh N}
awk -v n="$n" 'BEGIN {
	print "#include <stdio.h>\n#include <stdlib.h>"
	for (i = 0; i < n; i++)
		printf "__attribute__((noinline)) int filler_%d_of_a_large_program(int x) { return x * %d + 1; }\n", i, i
	print "__attribute__((noinline)) double target(int a)\n{\n\tdouble s = 0;\n\tfor (int i = 0; i < a; i++)\n\t\ts += i * 0.5;\n\treturn s;\n}"
	printf "int main(int argc, char **argv)\n{\n\tint s = 0;\n"
	for (i = 0; i < n; i += n / 8)
		printf "\ts += filler_%d_of_a_large_program(argc);\n", i
	print "\tif (argc > 1)\n\t\tprintf(\"%d %g\\n\", s, target(atoi(argv[1])));\n\treturn 0;\n}"
}'
