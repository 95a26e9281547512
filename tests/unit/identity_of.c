/*
 * identity_of: prints the code identity of symbols of an ELF file, as the
 * shim computes it at start-up, for the identity tests (t06xx).
 *   identity_of FILE SYMBOL...   ->  one line per symbol: "SYMBOL HEX"
 */
#include <stdio.h>
#include <string.h>

#include "elf.h"
#include "hook.h"

int main(int argc, char **argv)
{
	char why[256];
	struct elf_image *img;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: identity_of FILE SYMBOL...\n");
		return 2;
	}
	img = elf_image_open(argv[1], why, sizeof why);
	if (!img) {
		fprintf(stderr, "identity_of: %s\n", why);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		static struct hook h;
		struct elf_sym s;

		memset(&h, 0, sizeof h);
		if (elf_image_symbol(img, argv[i], NULL, &s)) {
			fprintf(stderr, "identity_of: '%s': no such symbol\n", argv[i]);
			rc = 1;
			continue;
		}
		snprintf(h.path, sizeof h.path, "%s", argv[1]);
		h.target = (void *)(uintptr_t)s.value;
		if (identity_compute(&h)) {
			fprintf(stderr, "identity_of: '%s': %s\n", argv[i], h.why);
			rc = 1;
			continue;
		}
		printf("%s ", argv[i]);
		for (size_t k = 0; k < sizeof h.identity; k++)
			printf("%02x", h.identity[k]);
		printf("\n");
	}
	return rc;
}
