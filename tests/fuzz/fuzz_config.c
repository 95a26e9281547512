/*
 * Fuzz target: the config loader (src/config/config.c, and the prototype parser
 * it calls) on a file whose bytes are the input, through config_load, then
 * config_release. Each input is one config file as a user could write it.
 * Built with libFuzzer by `make fuzz`, and as a corpus replayer by the suite.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One in-memory file for the whole run: no disk write per input. */
static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memo_config cfg = { 0 };

	if (fd < 0) {
		fd = memfd_create("fuzz.conf", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	config_load(path, &cfg);
	config_release(&cfg);
	return 0;
}
