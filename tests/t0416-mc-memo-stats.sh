# memo stats with a memcached pool: each server in the config's order, its
# items and hit ratio; a server that does not answer is reported down.
source "$TOP/tests/lib.sh"

start_memcached
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir memo.d
cp "$TOP"/tests/progs/mc/memo.d/*.conf memo.d/
printf '[cache]\ndir = off\nservers = 127.0.0.1:%s\nstats = off\n' "$MC_PORT" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
under_memo "$P/mc/mcmain" 4 >/dev/null 2>&1 || fail "filling run"
under_memo "$P/mc/mcmain" 4 >/dev/null 2>&1 || fail "hitting run"

printf '[cache]\ndir = off\nservers = 127.0.0.1:%s, 127.0.0.1:%s\n' "$dead" "$MC_PORT" >memo.d/cache.conf
"$B/memo" stats -c memo.d >stats.out 2>&1 || { cat stats.out; fail "memo stats"; }
cat stats.out
sed -n 1p stats.out | grep -q "^memcached 127.0.0.1:$dead down" || fail "the dead server is not reported down, first"
line=$(sed -n 2p stats.out)
case "$line" in "memcached 127.0.0.1:$MC_PORT up items="*) ;; *) fail "the live server is not second and up" ;; esac
items=$(echo "$line" | sed 's/.* items=\([0-9]*\) .*/\1/')
hits=$(echo "$line" | sed 's/.* hits=\([0-9]*\) .*/\1/')
[ "$items" -ge 4 ] || fail "items on the live server: $items"
[ "$hits" -ge 4 ] || fail "hits on the live server: $hits"
echo "$line" | grep -q "hit_ratio=0\.[0-9]*[1-9]" || fail "no hit ratio"
