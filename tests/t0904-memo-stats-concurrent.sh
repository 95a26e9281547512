#!/usr/bin/env bash
# Owns: the stats kept across runs lose no count when many processes exit at
# once (src/store/records_stats.c: each adds to stats/<pid % 16> under a
# flock of that file alone). 15 rounds of 8 processes under LD_PRELOAD that
# each call a memoized function, then wait on one FIFO and exit together
# when it closes (8 pids on 16 files: most rounds put two on one file at the
# same moment). A fault injector preloaded first holds each write of a stats
# file 5 ms, between the read and the write that adds to it, so two such
# processes overlap there (without the lock, counts are lost). The calls,
# hits and misses memo stats sums equal those of the processes' own stats
# lines, exactly.
source "$TOP/tests/lib.sh"

MEMO="$B/memo"
cat >prog.c <<'C'
#include <stdio.h>
#include <unistd.h>
__attribute__((noinline)) long stats_sq(long x) { return x * x + 1; }
int main(int argc, char **argv)
{
	long s = 0;
	char b;

	(void)argv;
	for (long i = 0; i < 5 + argc; i++)
		s += stats_sq(i % 4);
	printf("%ld\n", s);
	fflush(stdout);
	return read(0, &b, 1) < 0;	/* exits when the FIFO closes, with the others */
}
C
gcc -O1 -g -o prog prog.c || fail "build"
cat >slow.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* pwrite to a file under a stats/ folder waits 5 ms first */
ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	char link[64], path[4096];
	ssize_t len;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof path - 1);
	if (len > 0 && (path[len] = 0, strstr(path, "/stats/")))
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	return real(fd, buf, n, at);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at) { return pwrite(fd, buf, n, at); }
C
gcc -O1 -shared -fPIC -o libslow.so slow.c -ldl || fail "build the injector"
mkdir memo.d
printf '[function stats_sq]\nprototype = long stats_sq(long x)\n' >memo.d/sq.conf
printf '[cache]\ndir = cache\nstats = %s\n' "$T/stats.jsonl" >memo.d/cache.conf
export MEMO_CONFIG="$T/memo.d"
MEMO_DISABLE=1 ./prog </dev/null >plain.out || fail "plain run"
mkfifo gate

for round in $(seq 15); do
	pids=()
	for i in $(seq 8); do
		LD_PRELOAD="$PRELOAD $T/libslow.so" timeout 60 ./prog <gate >out.$i 2>err.$i &
		pids+=($!)
	done
	exec 3>gate	# every reader is let through at once ...
	for i in $(seq 8); do	# ... and has run its calls before the gate closes
		for _ in $(seq 500); do [ -s out.$i ] && break; sleep 0.01; done
	done
	exec 3>&-
	for p in "${pids[@]}"; do wait "$p" || fail "round $round: a run failed"; done
	for i in $(seq 8); do same plain.out out.$i "round $round, process $i"; done
	rm -f out.* err.*
done
expect_eq "$(wc -l <stats.jsonl)" 120 "processes that reported"
"$MEMO" stats --json >stats.json || fail "memo stats --json"
for f in calls hits misses; do
	got=$(python3 -c "import json; print(json.load(open('stats.json'))['functions']['stats_sq']['$f'])")
	expect_eq "$got" "$(stat_sum stats.jsonl stats_sq $f)" "stats_sq $f summed over 120 processes"
done
exit 0
