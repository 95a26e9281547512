# Owns: the maps of the source tree stay true. ARCHITECTURE.md names every
# source file under src/ (a header only where no .c of its name explains
# it), README's "Source layout" names every .c and .S, and neither names a
# source file that does not exist (a name with a folder, such as
# src/call/call.c, is a path from the top or from the document's folder).
source "$TOP/tests/lib.sh"

arch="$TOP/ARCHITECTURE.md"
sed -n '/^### Source layout/,/^## /p' "$TOP/README.md" >layout.txt
[ -s layout.txt ] || fail "README.md has no \"Source layout\" section"

missing=0
for f in "$TOP"/src/*/*.[chS]; do
	b=$(basename "$f")
	case $b in *.h) [ -e "${f%.h}.c" ] && continue ;; esac
	grep -qw -- "$b" "$arch" || { echo "ARCHITECTURE.md does not name ${f#$TOP/}"; missing=1; }
	case $b in *.h) continue ;; esac
	grep -qw -- "$b" layout.txt || { echo "README.md's source layout does not name ${f#$TOP/}"; missing=1; }
done
for doc in "$arch" layout.txt; do
	for b in $(grep -oE '\b[a-z][a-z0-9_]*\.(c|h|S)\b' "$doc" | sort -u); do
		ls "$TOP"/src/*/"$b" >/dev/null 2>&1 ||
			{ echo "$(basename "$doc") names '$b', which is not under src/"; missing=1; }
	done
done
# a name with a folder is a path from the top of the repository, or from
# the document's own folder
for doc in "$arch" "$TOP/README.md" "$TOP/tests/README"; do
	for f in $(grep -oE '(^|[^a-zA-Z0-9_./-])[a-z][a-z0-9_]*/[a-z][a-z0-9_/]*\.(c|h|S)\b' "$doc" |
		   sed -E 's/^[^a-z]//' | sort -u); do
		[ -e "$TOP/$f" ] || [ -e "$(dirname "$doc")/$f" ] ||
			{ echo "$(basename "$doc") names '$f', which is not in the repository"; missing=1; }
	done
done
[ $missing = 0 ] || fail "the maps of the source tree are out of date (above)"
exit 0
