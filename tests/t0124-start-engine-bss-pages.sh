#!/usr/bin/env bash
# t0124: the pages of libmemo-engine.so's .bss a start-up writes, each a
# page fault (~1.2-2 us): ten libc functions found (bench/run's "ten"), the
# program counts, in its main, the pages of that .bss that are present
# (/proc/self/pagemap). Statics start-up writes sit with the small ones
# (identity_lock, loaded_facts' record) or at the start of .bss, on the page
# .data ends in (cache_dir), not each on a page of its own between the
# large buffers: 5 pages here, 8 when they did. The count is the
# program's alone (no configured function is called), the same every run.
source "$TOP/tests/lib.sh"
[ "${SAN:-0}" = 1 ] && skip "the ASan runtime changes what start-up touches"

cat >bss_pages.c <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The present pages of the engine's .bss: its writable segment past the
 * file's bytes, from the page .data ends in. */
static int count(struct dl_phdr_info *info, size_t size, void *arg)
{
	int *n = arg, fd;

	(void)size;
	if (!strstr(info->dlpi_name, "libmemo-engine.so"))
		return 0;
	fd = open("/proc/self/pagemap", O_RDONLY);
	for (int i = 0; i < info->dlpi_phnum && fd >= 0; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr + ph->p_filesz;
		uintptr_t hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) || hi == lo)
			continue;
		for (uintptr_t p = lo / 4096; p < (hi + 4095) / 4096; p++) {
			uint64_t e = 0;

			if (pread(fd, &e, 8, (off_t)(p * 8)) == 8 && (e >> 63))
				++*n;
		}
	}
	return 1;
}

int main(void)
{
	int n = 0;

	if (dl_iterate_phdr(count, &n) != 1)	/* no engine */
		n = -1;
	printf("%d\n", n);
	return 0;
}
C
gcc -O2 -o bss_pages bss_pages.c || fail "cannot build the program"

export MEMO_CONFIG="$T/memo.d"
conf_cache dir="$T/cache" stats=off
conf_ten_libc
under_memo ./bss_pages >first.out 2>first.err || { cat first.err; fail "first run"; }
for run in 1 2; do	# the caches the first run wrote, read
	under_memo ./bss_pages >"$run.out" 2>"$run.err" || { cat "$run.err"; fail "run $run"; }
	said "$run.err" && { cat "$run.err"; fail "run $run: something was said"; }
	pages=$(cat "$run.out")
	[ "$pages" -gt 0 ] || fail "run $run: the engine was not loaded ($pages)"
	# 5 here, a page more is margin; 8 was the count before
	[ "$pages" -le 6 ] || fail "run $run: $pages pages of the engine's .bss written at start-up (at most 6)"
done
MEMO_LOG=info under_memo ./bss_pages >/dev/null 2>info.err
expect_eq "$(memoized_in info.err)" 10 "functions memoized"
exit 0
