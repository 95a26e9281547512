/*
 * small_fs: which filesystems may hold the folder's store of small entries
 * (small_fs_local, src/store/small.c): none where LMDB's locks and shared
 * map would not reach the other nodes sharing the folder. Network and
 * user-space filesystems cannot be mounted in a test, so their statfs
 * magic numbers are given here.
 *   small_fs            exit 0 when every verdict is right
 */
#include <stdio.h>

#include "store/small.h"

static const struct { const char *name; long magic; bool local; } cases[] = {
	{ "ext4", 0xEF53, true },
	{ "xfs", 0x58465342, true },
	{ "btrfs", 0x9123683E, true },
	{ "tmpfs", 0x01021994, true },
	{ "overlayfs", 0x794C7630, true },
	{ "nfs", 0x6969, false },
	{ "cifs", (long)(int)0xFF534D42, false },	/* as a signed f_type holds it */
	{ "cifs", 0xFF534D42, false },
	{ "smb2", 0xFE534D42, false },
	{ "smb", 0x517B, false },
	{ "9p", 0x01021997, false },
	{ "fuse", 0x65735546, false },
	{ "ceph", 0x00C36400, false },
	{ "afs", 0x6B414653, false },
	{ "gfs2", 0x01161970, false },
	{ "lustre", 0x0BD00BD0, false },
};

int main(void)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (small_fs_local(cases[i].magic) != cases[i].local) {
			fprintf(stderr, "%s (0x%lx): said %s\n", cases[i].name, cases[i].magic,
				cases[i].local ? "shared" : "local");
			bad = 1;
		}
	return bad;
}
