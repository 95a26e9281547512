/*
 * Unit driver for l1's hints (src/call/l1_slot.h): a probe of a call the
 * table does not hold reads the hint array only, never a slot of the 2 MiB
 * table (issue 17: that read was a memory access on every remote hit and
 * every miss). The slots are made unreadable (PROT_NONE) while 200,000
 * probes of calls not held run: a probe that reads a slot takes SIGSEGV,
 * which this driver reports and fails on. Then, with the slots readable
 * again, what was put is still found whole, and a slot rewritten for
 * another call is found for that call and not for the first. Calls l1.h
 * and l1_slot.h only. Single-threaded. Prints one line per failed
 * expectation; exit 0 when all hold.
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "call/l1.h"
#include "call/l1_slot.h"
#include "expect.h"

#define HOOK 3

static void probe_of(struct l1_probe *pr, uint64_t n)
{
	pr->hook = HOOK;
	pr->len = sizeof n;
	memcpy(pr->image, &n, sizeof n);
	pr->tag = l1_hash(pr->image, pr->len, pr->hook);
}

static void put(uint64_t n, double v)
{
	struct l1_probe pr;
	struct value_meta meta = { .seconds = 0.5 };
	struct iovec part = { &v, sizeof v };

	probe_of(&pr, n);
	l1_put(&pr, &meta, &part, 1);
}

/* 1 and the value when the table holds call n, else 0 */
static int get(uint64_t n, double *v)
{
	struct l1_probe pr;
	struct l1_found f;
	struct iovec part;
	uint8_t space[L1_VALUE_MAX];

	probe_of(&pr, n);
	if (!l1_get(&pr, space, sizeof space, &f, &part, 1))
		return 0;
	if (part.iov_len != sizeof *v)
		return -1;
	memcpy(v, part.iov_base, sizeof *v);
	return 1;
}

static void on_segv(int sig)
{
	static const char msg[] = "FAIL a probe of a call the table does not hold read a slot\n";

	(void)sig;
	(void)!write(1, msg, sizeof msg - 1);
	_exit(1);
}

int main(void)
{
	const size_t table = (size_t)L1_SLOTS * L1_SLOT_SIZE;
	double v = 0;
	uint64_t held = 12345, other = 0;
	struct l1_probe a, b;

	put(held, 2.5);
	EXPECT(l1_table != NULL, "the table is not mapped after a put");
	if (!l1_table)
		return 1;
	signal(SIGSEGV, on_segv);
	EXPECT(mprotect(l1_table, table, PROT_NONE) == 0, "mprotect");
	for (uint64_t n = 1000000; n < 1200000; n++) {
		struct l1_probe pr;

		probe_of(&pr, n);
		probe_of(&a, held);
		/* a call of the held one's slot and hint: its slot is read */
		if ((pr.tag & (L1_SLOTS - 1)) == (a.tag & (L1_SLOTS - 1)) &&
		    l1_hint_of(pr.tag) == l1_hint_of(a.tag))
			continue;
		EXPECT(get(n, &v) == 0, "call %llu found", (unsigned long long)n);
	}
	EXPECT(mprotect(l1_table, table, PROT_READ | PROT_WRITE) == 0, "mprotect back");
	signal(SIGSEGV, SIG_DFL);

	EXPECT(get(held, &v) == 1 && v == 2.5, "the call put is not found whole");
	/* another call of the same slot with another hint, put over it */
	probe_of(&a, held);
	for (uint64_t n = 1; n < 10000000 && !other; n++) {
		probe_of(&b, n);
		if (n != held && (b.tag & (L1_SLOTS - 1)) == (a.tag & (L1_SLOTS - 1)) &&
		    l1_hint_of(b.tag) != l1_hint_of(a.tag))
			other = n;
	}
	EXPECT(other != 0, "no other call of the same slot");
	put(other, 7.25);
	EXPECT(get(other, &v) == 1 && v == 7.25, "the slot's new call is not found whole");
	EXPECT(get(held, &v) == 0, "the slot's old call is still found");
	put(held, 2.5);
	EXPECT(get(held, &v) == 1 && v == 2.5, "the old call, put again, is not found");
	EXPECT(get(other, &v) == 0, "the call put over is still found");
	if (!failures)
		printf("ok (0 failures)\n");
	return failures != 0;
}
