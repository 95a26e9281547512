#!/usr/bin/env bash
# Owns: memo report. After three runs of a program with two memoized
# functions (stats = FILE.jsonl), and a stats file naming a function whose
# name needs escaping, the page parses with Python's html.parser, names
# every function in its tables, draws a chart line for each, and loads no
# resource (no script, link, image, src or href). Where Debian's chromium
# is installed it renders, headless, to a screenshot.
source "$TOP/tests/lib.sh"
prog="$P/dwarf/dwarfprog"
mkdir memo.d
printf '[function integrate]\nprototype = double integrate(const double coef[n], size_t n, double a, double b)\n' \
	>memo.d/integrate.conf
printf '[function tagged]\nprototype = double tagged(opaque void *ctx, double x)\n' >memo.d/tagged.conf
printf '[cache]\ndir = cache\nstats = %s\n' "$T/run.jsonl" >memo.d/cache.conf
for b in 1 2 1; do
	"$B/memo" run -c memo.d -- "$prog" 1 $b 3 4 >out 2>err || { cat err; fail "run $b"; }
done
expect_eq "$(wc -l <run.jsonl)" 3 "stats lines"

note "the config's own stats file"
"$B/memo" report -c memo.d -o report.html >out 2>err || { cat err; fail "memo report"; }
grep -qx "wrote 'report.html': 2 functions, 3 runs" out || { cat out; fail "memo report: not said"; }

note "named stats files: a name to escape, a line that is not stats"
printf '{"pid": 7, "symbols": {"ops<int>::add&sub": {"calls": 4, "hits": 3, "seconds_saved": 1.5}}}\nnot json\n' \
	>other.jsonl
"$B/memo" report -c memo.d run.jsonl other.jsonl -o both.html >out 2>err || { cat err; fail "memo report FILES"; }
grep -q "'other.jsonl': 1 line that are not libmemo's stats, left out" err || { cat err; fail "the bad line not said"; }

check_page() {	# check_page FILE FUNCTION...: parses, names each, one chart line each, nothing fetched
	python3 - "$@" <<'PY'
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.in_td, self.lines, self.svg, self.bad = [], False, 0, 0, []
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "object", "embed", "image", "use"):
            self.bad.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href") or (v and "url(" in v):
                self.bad.append("%s %s=%s" % (tag, k, v))
        self.in_td = tag == "td"
        self.lines += tag == "polyline"
        self.svg += tag == "svg"
    def handle_endtag(self, tag):
        self.in_td = False
    def handle_data(self, data):
        if self.in_td:
            self.cells.append(data)

path, names = sys.argv[1], sys.argv[2:]
p = Page()
p.feed(open(path, encoding="utf-8").read())
p.close()
for n in names:
    if n not in p.cells:
        sys.exit("%s: function %r is not in a table cell" % (path, n))
if p.bad:
    sys.exit("%s: loads resources: %s" % (path, p.bad))
if p.svg != 1 or p.lines != len(names):
    sys.exit("%s: %d svg, %d chart lines for %d functions" % (path, p.svg, p.lines, len(names)))
PY
}
check_page report.html integrate tagged || fail "report.html"
check_page both.html integrate tagged 'ops<int>::add&sub' || fail "both.html"
grep -q "http://\|https://" <(grep -v 'xmlns="http://www.w3.org/2000/svg"' both.html) && fail "a network address in the page"

if command -v chromium >/dev/null; then
	timeout 120 chromium --headless --no-sandbox --disable-gpu --window-size=900,1200 \
		--screenshot="$T/shot.png" "file://$T/both.html" >chrome.log 2>&1 ||
		{ tail -n 5 chrome.log; fail "chromium could not render the page"; }
	[ "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "the screenshot is not a PNG"
	[ "$(stat -c %s shot.png)" -gt 10000 ] || fail "the screenshot is nearly empty"
else
	note "chromium is not installed: the page is not rendered in a browser"
fi
exit 0
