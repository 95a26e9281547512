/*
 * memo init ELF FUNCTION [-o DIR]: writes DIR/FUNCTION.conf (DIR default
 * memo.d), a [function] section whose prototype comes from ELF's debug
 * info (suggest.c, as `memo inspect` prints it), each guess a person must
 * confirm (an array's length, out or inout) on a line marked CONFIRM above
 * what it is about. Never overwrites a file; the file written is read back
 * as libmemo reads a config. Calls elf, dwarf, config, suggest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "config/config.h"
#include "find/dwarf.h"
#include "find/elf.h"
#include "cmd/memo.h"
#include "cmd/suggest.h"
#include "base/b2.h"

static const struct cmd_option init_options[] = {
	{ "--output", 'o', "DIR", "the config folder to write into (default memo.d)" },
	{ NULL, 0, NULL, NULL },
};

const struct cmd_spec cmd_init_spec = {
	"init", "ELF FUNCTION [-o DIR]",
	"Write DIR/FUNCTION.conf, FUNCTION's [function] section with the\n"
	"prototype its debug info describes (ELF built with -g, or its -dbgsym\n"
	"package installed). What was guessed (an array's length, whether a\n"
	"buffer is out or inout) is marked CONFIRM: check it, then run\n"
	"`memo check -c DIR ELF`. An existing file is never overwritten.\n"
	"A FUNCTION of over 200 characters (a C++ name) gets a file named by\n"
	"its first 100 and a hash of the whole.\n",
	.min_pos = 2, .max_pos = 2, .options = init_options,
};

struct closest {
	const char *name, *best;
	int dist;
};

static int closest_cb(const struct elf_sym *s, void *arg)
{
	struct closest *c = arg;
	int d;

	if (s->type != STT_FUNC || !s->shndx || strchr(s->name, '.'))
		return 0;
	d = config_edit_distance(c->name, s->name);
	if (d < c->dist)
		c->dist = d, c->best = s->name;
	return 0;
}

/* "; CONFIRM: NOTE" for each line of notes. */
static void write_confirms(FILE *f, const char *notes)
{
	while (*notes) {
		size_t n = strcspn(notes, "\n");

		fprintf(f, "; CONFIRM: %.*s\n", (int)n, notes);
		notes += n + (notes[n] == '\n');
	}
}

/* DIR/SYMBOL.conf; for a symbol too long for a file's name (a C++ one
 * runs to thousands of characters, a name to 255 bytes), its first 100
 * characters and a hash of the whole: DIR/PREFIX-HASH.conf. -1 when the
 * path does not fit. */
#define INIT_NAME_MAX 200

static int conf_path(char *path, size_t n, const char *dir, const char *symbol)
{
	uint8_t digest[8];
	char hex[2 * sizeof digest + 1];
	size_t len = strlen(symbol);

	if (len <= INIT_NAME_MAX)
		return (size_t)snprintf(path, n, "%s/%s.conf", dir, symbol) < n ? 0 : -1;
	b2(digest, symbol, NULL, sizeof digest, len, 0);
	util_hex(hex, digest, sizeof digest);
	return (size_t)snprintf(path, n, "%s/%.100s-%s.conf", dir, symbol, hex) < n ? 0 : -1;
}

static int write_conf(const char *path, const char *dir, const char *elf, const char *symbol,
		      const struct dwarf_func *d, const struct suggestion *sg)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		fprintf(stderr, "memo: cannot write '%s': %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (memo init never overwrites: remove it first)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "; written by `memo init %s %s` from the debug info in '%s'.\n"
		"; Check each CONFIRM, delete the mark, then: memo check -c %s %s\n",
		elf, symbol, d->debug_file[0] ? d->debug_file : elf, dir, elf);
	fprintf(f, "[function %s]\n", symbol);
	write_confirms(f, sg->notes);
	fprintf(f, "prototype = %s\n", sg->prototype);
	if (sg->returns_string)
		fprintf(f, "; CONFIRM: 'static' if the caller does not free the string\n"
			"return = malloc\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "memo: cannot write '%s': %s\n", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int cmd_init(const struct cmd_args *a)
{
	const char *elf = a->pos[0], *symbol = a->pos[1], *dir = a->opt[0] ? a->opt[0] : "memo.d";
	static struct dwarf_func d;
	struct memo_config cfg = { 0 };
	struct suggestion sg;
	struct elf_image *img;
	struct elf_sym sym;
	char why[256], path[4096];
	int errors, rc = 1;

	log_init();
	img = elf_image_open(elf, why, sizeof why);
	if (!img) {
		fprintf(stderr, "memo: cannot read '%s': %s\n", elf, why);
		return 1;
	}
	if (elf_image_symbol(img, symbol, NULL, &sym) < 0 ||
	    (sym.type != STT_FUNC && sym.type != STT_GNU_IFUNC)) {
		struct closest c = { symbol, NULL, 3 };

		elf_image_each_symbol(img, NULL, closest_cb, &c);
		fprintf(stderr, "memo: '%s': no function '%s'", elf, symbol);
		if (c.best)
			fprintf(stderr, " (did you mean '%s'?)", c.best);
		else if (!elf_image_has_symtab(img))
			fprintf(stderr, " (the file is stripped: only exported functions are found)");
		fputs("\n", stderr);
		return 1;
	}
	switch (memo_dwarf_describe(elf, sym.value, &d, why, sizeof why)) {
	case 1:
		break;
	case 0:
		if (strstr(why, "Fortran"))
			fprintf(stderr, "memo: '%s': %s; write its prototype by hand, as README "
				"\"Fortran, C++ and structs\" shows\n", symbol, why);
		else
			fprintf(stderr, "memo: '%s': %s; build it with -g (or install its -dbgsym "
				"package), or write the prototype by hand (README \"Configure\")\n",
				symbol, d.debug_file[0] ? why : "no debug info");
		return 1;
	default:
		fprintf(stderr, "memo: '%s': %s\n", elf, why);
		return 1;
	}
	suggest(&d, symbol, &sg);
	if (*sg.bad) {
		fprintf(stderr, "memo: '%s' cannot be memoized as its debug info describes it: %s\n",
			symbol, sg.bad);
		goto out;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "memo: cannot make folder '%s': %s\n", dir, strerror(errno));
		goto out;
	}
	if (conf_path(path, sizeof path, dir, symbol) < 0) {
		fprintf(stderr, "memo: '%s/%s.conf': path too long\n", dir, symbol);
		goto out;
	}
	if (write_conf(path, dir, elf, symbol, &d, &sg) < 0)
		goto out;
	errors = config_load(path, &cfg);	/* libmemo must read what was written */
	config_release(&cfg);
	if (errors) {
		fprintf(stderr, "memo: '%s' was written but does not load (above): fix it by hand\n", path);
		goto out;
	}
	printf("wrote '%s'%s\n", path, *sg.notes ? "; confirm the lines marked CONFIRM" : "");
	rc = 0;
out:
	suggest_release(&sg);
	return rc;
}
