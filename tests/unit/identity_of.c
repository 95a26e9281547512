/*
 * identity_of: prints the code identity of functions of an ELF file as the
 * engine computes it at start-up (identity_compute), the BLAKE2b of their raw
 * bytes (to show where raw bytes would be wrong), the writable globals they
 * read, and with -v what went into the identity. For the t06xx tests.
 * -c DIR uses DIR as the identity cache (MEMO_LOG=debug says when it serves).
 *   identity_of [-v] [-c DIR] FILE SYMBOL...
 *   -> "SYMBOL identity=HEX raw=HEX globals=NAME,NAME" per symbol
 */
#include <stdio.h>
#include <string.h>

#include "find/elf.h"
#include "find/identity.h"
#include "base/log.h"

static void hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void show(void *ctx, enum identity_part part, int depth, const char *name,
		 const char *detail)
{
	static const char *const kinds[] = {
		[IDENTITY_CODE] = "code", [IDENTITY_CALLEE] = "callee",
		[IDENTITY_IMPORT] = "import", [IDENTITY_RODATA] = "rodata",
		[IDENTITY_WRITABLE] = "writable",
	};
	(void)ctx;
	printf("  %*s%s %s: %s\n", 2 * depth, "", kinds[part], name, detail);
}

int main(int argc, char **argv)
{
	char why[256];
	struct elf_image *img;
	int rc = 0, verbose = 0, a = 1;

	log_init();
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-v"))
			verbose = 1;
		else if (!strcmp(argv[a], "-c") && a + 1 < argc)
			identity_set_cache_dir(argv[++a]);
		else
			break;
	}
	if (argc - a < 2) {
		fprintf(stderr, "usage: identity_of [-v] [-c DIR] FILE SYMBOL...\n");
		return 2;
	}
	img = elf_image_open(argv[a], why, sizeof why);
	if (!img) {
		fprintf(stderr, "identity_of: %s\n", why);
		return 1;
	}
	for (int i = a + 1; i < argc; i++) {
		static struct hook h;
		struct elf_sym s;
		uint8_t raw[32], id[32];
		size_t avail;
		const uint8_t *code;
		char globals[1024];

		memset(&h, 0, sizeof h);
		if (elf_image_symbol(img, argv[i], NULL, &s)) {
			fprintf(stderr, "identity_of: '%s': no such symbol\n", argv[i]);
			rc = 1;
			continue;
		}
		h.path = argv[a];
		h.target = (void *)(uintptr_t)s.value;
		if (identity_compute(&h) || identity_globals_read(&h, globals, sizeof globals) < 0) {
			fprintf(stderr, "identity_of: '%s' [%s]: %s\n", argv[i],
				hook_refusal_name(h.refusal), h.why);
			rc = 1;
			continue;
		}
		code = elf_image_bytes(img, s.value, &avail);
		blake2b(raw, code, NULL, sizeof raw, code && avail >= s.size ? s.size : 0, 0);
		printf("%s identity=", argv[i]);
		hex(h.identity, sizeof h.identity);
		printf(" raw=");
		hex(raw, sizeof raw);
		printf(" globals=%s\n", globals);
		if (verbose && identity_of(argv[a], s.value, id, show, NULL, why, sizeof why))
			fprintf(stderr, "identity_of: '%s': %s\n", argv[i], why);
	}
	return rc;
}
